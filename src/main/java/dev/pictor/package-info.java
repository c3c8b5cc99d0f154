/**
 * The node itself: {@code Main} reads the environment into {@code Settings} (one record per feature),
 * {@code Pictor} builds every object once with constructors and starts and stops them in order, and
 * {@code BuiltInUpstreams} lists the upstream definitions. This package may import every feature;
 * no feature imports it.
 */
package dev.pictor;
