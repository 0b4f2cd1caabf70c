package cloudfn

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

func init() {
	functions.HTTP("PurgeShow", PurgeShow)
	functions.HTTP("ExportShowKeys", ExportShowKeys)
	functions.HTTP("ShowHasListeners", ShowHasListeners)
}

// PurgeShow deletes every episode record of a show that was taken down.
func PurgeShow(w http.ResponseWriter, r *http.Request) {
	showID := r.URL.Query().Get("show")
	if r.Method != http.MethodPost || showID == "" {
		http.Error(w, "POST ?show= required", http.StatusBadRequest)
		return
	}
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	page, err := st.CF.KV.Namespaces.Keys.List(r.Context(), st.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(st.AccountID),
		Prefix:    cloudflare.F("ep:" + showID + ":"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	if err := st.BulkDelete(r.Context(), names); err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": len(names)})
}

// ExportShowKeys streams the names of a show's keys as JSON lines for the
// data-export feature.
func ExportShowKeys(w http.ResponseWriter, r *http.Request) {
	showID := r.URL.Query().Get("show")
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	iter := st.CF.KV.Namespaces.Keys.ListAutoPaging(r.Context(), st.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(st.AccountID),
		Prefix:    cloudflare.F("show:" + showID + ":"),
	})
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration}); err != nil {
			return
		}
	}
	if err := iter.Err(); err != nil {
		fail(w, http.StatusBadGateway, err)
	}
}

// ShowHasListeners reports whether any listener was seen for a show's
// episode today, for the "live now" dot in the dashboard.
func ShowHasListeners(w http.ResponseWriter, r *http.Request) {
	day, episodeID := r.URL.Query().Get("day"), r.URL.Query().Get("episode")
	st, err := kvStore()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	page, err := st.CF.KV.Namespaces.Keys.List(r.Context(), st.NamespaceID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(st.AccountID),
		Prefix:    cloudflare.F("uniq:" + strings.TrimSpace(day) + ":" + episodeID + ":"),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"live": len(page.Result) > 0})
}
