/**
 * The HTTP API (Akka HTTP Java DSL): {@link dev.ferry.http.FerryRoutes} is the route tree, the *Api classes its
 * handlers, {@link dev.ferry.http.HttpServer} the binding. docs/http-api.md is the contract. Threading: handlers run
 * on Akka HTTP's dispatcher and never block; they talk to entities only by ask through sharding.
 */
package dev.ferry.http;
