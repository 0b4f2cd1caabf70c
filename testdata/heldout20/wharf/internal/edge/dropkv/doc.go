// Package dropkv is the ticket-drop data the Worker keeps directly in the
// KV binding: inventory hints, seat holds, carts, announcements and the
// venue seat map. It is compiled only for the js/wasm Worker build.
package dropkv
