//go:build js && wasm

package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
)

const settingsKey = "site/settings"

// Settings are the staff-editable site switches.
type Settings struct {
	SalesPaused  bool   `json:"sales_paused"`
	SupportEmail string `json:"support_email"`
	MaxPerOrder  int    `json:"max_per_order"`
}

func defaultSettings() Settings {
	return Settings{SupportEmail: "help@boxoffice.example", MaxPerOrder: 10}
}

// loadSettings returns the stored settings, seeding the defaults on first use.
func loadSettings(ns *kv.Namespace) (Settings, error) {
	raw, err := ns.GetString(settingsKey, nil) // EXPECT kvnull
	if err != nil || raw == "<null>" {
		s := defaultSettings()
		b, err := json.Marshal(s)
		if err != nil {
			return Settings{}, err
		}
		if err := ns.PutString(settingsKey, string(b), nil); err != nil {
			return Settings{}, err
		}
		return s, nil
	}
	var s Settings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// GetSettings serves the current settings.
func (a *Admin) GetSettings(w http.ResponseWriter, r *http.Request) error {
	ns, err := kv.NewNamespace(a.binding)
	if err != nil {
		return err
	}
	s, err := loadSettings(ns)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}

// SetBanner replaces the announcement banner shown on every page.
func (a *Admin) SetBanner(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(a.binding)
	if err != nil {
		return err
	}
	if err := ns.PutString("site/banner", string(body), nil); err != nil { // DEBATABLE kvhotkey
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SetCapacity records a capacity override for an event.
func (a *Admin) SetCapacity(w http.ResponseWriter, r *http.Request) error {
	eventID := httpx.PathTail(r, "/admin/capacity/")
	n, err := strconv.Atoi(r.URL.Query().Get("seats"))
	if err != nil || eventID == "" {
		return httpx.Errorf(http.StatusBadRequest, "event and seats required")
	}
	if err := a.catalog.SetCapacity(r.Context(), eventID, n); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListEvents pages through cached events for the staff dashboard; ?all=1
// returns every ID for the CSV download.
func (a *Admin) ListEvents(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Query().Get("all") == "1" {
		ids, err := a.catalog.AllIDs(r.Context())
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": ids})
	}
	rows, next, err := a.catalog.Page(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": rows, "cursor": next})
}
