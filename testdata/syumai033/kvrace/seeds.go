package kvrace

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare"
)

type showDefaults struct {
	Language string `json:"language"`
	Explicit bool   `json:"explicit"`
}

// Quiet for kvrace: GetString's error is no miss, so this write of the
// request's settings seeds nothing that a miss reaches (kvnull's finding,
// at the get).
func ensureDefaults(shows *cloudflare.KVNamespace, show string, defaults showDefaults) error {
	key := "settings:" + show
	if _, err := shows.GetString(key, nil); err != nil {
		b, _ := json.Marshal(defaults)
		return shows.PutString(key, string(b), nil)
	}
	return nil
}

func showCreated(w http.ResponseWriter, r *http.Request) {
	var defaults showDefaults
	if err := json.NewDecoder(r.Body).Decode(&defaults); err != nil {
		http.Error(w, "settings body required", http.StatusBadRequest)
		return
	}
	shows, err := cloudflare.NewKVNamespace("SHOWS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ensureDefaults(shows, r.PathValue("show"), defaults); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
