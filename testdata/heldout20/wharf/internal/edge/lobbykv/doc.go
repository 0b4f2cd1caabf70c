// Package lobbykv holds the lobby state the Worker keeps directly in the KV
// binding: join throttling, the fan roster, lobby sessions, banners and the
// waiting-room page variants. It is compiled only for the js/wasm build.
package lobbykv
