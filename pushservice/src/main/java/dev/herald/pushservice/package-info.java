/**
 * Herald's embedded RFC 8030 push service: the application-server side (POST to an opaque endpoint)
 * and the Mozilla autopush WebSocket protocol that Firefox speaks. Not built yet: this module holds the
 * place in the build so the modules DESIGN.md names exist and depend on each other as designed.
 */
package dev.herald.pushservice;
