//go:build js && wasm

package edge

import (
	"github.com/syumai/workers/cloudflare/kv"
)

// jsNull is what syscall/js renders a JavaScript null as; the KV binding
// resolves get() of a missing key to null.
const jsNull = "<null>"

// getString reads key and reports whether it exists.
func getString(ns *kv.Namespace, key string, opts *kv.GetOptions) (string, bool, error) {
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}
