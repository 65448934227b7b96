/**
 * One class per allocation rule, each the Ferry counterpart of an Elasticsearch allocation decider and labelled
 * with its {@code NAME}. Deciders are stateless and thread-safe: they read a {@link dev.ferry.allocation.Routing}
 * and return {@link dev.ferry.allocation.Decision}s; detailed explanations are formatted only in debug mode.
 * A rule whose questions coincide implements one of the package's scope interfaces ({@code TopicScopedDecider},
 * {@code CopyScopedDecider}, {@code PlaceOrRemainDecider}, {@code ClusterScopedRebalanceDecider}) and answers once.
 */
package dev.ferry.allocation.decider;
