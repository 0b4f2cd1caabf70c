package kvrace

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/scriptvm"
)

// The functions a script may call on the tenant's slice of the namespace.
// The key is made by a helper the engine's values go through; one variable
// holds it for the get and the put.
func scriptBindings(ns *kv.Namespace, tenant string) map[string]func(scriptvm.FunctionCall) string {
	scope := "t:" + tenant + ":"
	key := func(call scriptvm.FunctionCall) string { return scope + call.Argument(0).String() }
	return map[string]func(scriptvm.FunctionCall) string{
		"append": func(call scriptvm.FunctionCall) string {
			k := key(call)
			old, err := ns.GetString(k, nil)
			if err != nil {
				return ""
			}
			if old == "<null>" {
				old = ""
			}
			next := old + call.Argument(1).String()
			_ = ns.PutString(k, next, nil) // want `read-modify-write on one KV key`
			return next
		},
		// Quiet: what is written comes from the script alone.
		"set": func(call scriptvm.FunctionCall) string {
			k := key(call)
			if _, err := ns.GetString(k, nil); err != nil {
				return ""
			}
			_ = ns.PutString(k, call.Argument(1).String(), nil)
			return "ok"
		},
	}
}
