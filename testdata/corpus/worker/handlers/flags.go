package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

const flagsKey = "flags:v2"

type flagSet map[string]bool

func loadFlags(ns *kv.Namespace) (flagSet, error) {
	raw, err := ns.GetString(flagsKey, &kv.GetOptions{CacheTTL: config.FlagsReadCacheTTL})
	if err != nil {
		return nil, err
	}
	flags := flagSet{}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &flags); err != nil {
			return nil, err
		}
	}
	return flags, nil
}

// FlagEnabled is used by other handlers to branch on a feature flag.
func FlagEnabled(name string) bool {
	ns, err := kv.NewNamespace("CONFIG")
	if err != nil {
		return false
	}
	flags, err := loadFlags(ns)
	return err == nil && flags[name]
}

// ToggleFlag is the admin endpoint that flips one flag.
func ToggleFlag(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	on := r.FormValue("on") == "true"
	ns, err := kv.NewNamespace("CONFIG")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	flags, err := loadFlags(ns)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	flags[name] = on
	data, _ := json.Marshal(flags)
	if err := ns.PutString(flagsKey, string(data), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
