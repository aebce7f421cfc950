/**
 * The one config mechanism of every component: a typed setting registry ({@link
 * io.haltsupervisor.schemas.config.Settings}) of settings with name, parser, default, doc and secret flag; one
 * parser per type ({@link io.haltsupervisor.schemas.config.Parsers}); one redaction rule ({@link
 * io.haltsupervisor.schemas.config.Redaction}, {@link io.haltsupervisor.schemas.config.Secret}); every bad setting
 * of a configuration reported together ({@link io.haltsupervisor.schemas.config.ConfigException}); unknown
 * variables warned about. docs/operations.md ("Configuration reference") is generated from the registries.
 */
package io.haltsupervisor.schemas.config;
