package kvnull

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A cohort's release channels, kept as one comma-separated value: a
// cohort with none lists the one channel "<null>".
func channels(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := ns.GetString("channels:"+r.PathValue("cohort"), nil) // want `this value is split into a list with no check for it`
		_ = json.NewEncoder(w).Encode(map[string][]string{"channels": strings.Split(raw, ",")})
	}
}

// Quiet: the miss is looked for before the split.
func channelsChecked(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, err := ns.GetString("channels:"+r.PathValue("cohort"), nil)
		if err != nil || raw == "<null>" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string][]string{"channels": strings.Fields(raw)})
	}
}

// Quiet: a key of the program's own, written at deploy.
func regions(ns *kv.Namespace) []string {
	raw, _ := ns.GetString("config:regions", nil)
	return strings.Split(raw, ",")
}
