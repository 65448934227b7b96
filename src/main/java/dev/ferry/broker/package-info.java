/**
 * The Broker entity (one per topic): topic settings and routing state, kept in durable Distributed Data.
 * Threading: actor-confined; values ({@link dev.ferry.broker.TopicState} and friends) are immutable records.
 */
package dev.ferry.broker;
