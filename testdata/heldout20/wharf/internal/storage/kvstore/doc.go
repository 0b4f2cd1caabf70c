// Package kvstore adapts a Workers KV namespace binding to storage.Store.
// It is compiled only for the js/wasm Worker build.
package kvstore
