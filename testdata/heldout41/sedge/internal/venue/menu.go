//go:build js && wasm

package venue

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/cache"
	"sedge/internal/httpx"
)

// MenuView serves a venue's menu, reading through the cache layers.
func (s *Service) MenuView(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	m, err := cache.GetOrLoad(r.Context(), s.menus, venue, s.origin.Menu)
	if err != nil {
		return err
	}
	if err := s.MenuViewed(venue); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, m)
}

// HoursView serves opening hours, with today's override if the venue set one.
func (s *Service) HoursView(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	h, err := cache.GetOrLoad(r.Context(), s.hours, venue, s.origin.Hours)
	if err != nil {
		return err
	}
	day := strings.ToLower(time.Now().Weekday().String())
	today := h.Days[day]
	ov, err := s.override.Namespace().GetString(s.override.Key(venue+":"+day), nil)
	if err != nil {
		return err
	}
	if ov == "" { // EXPECT kvnull
		ov = today
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"hours": h, "today": ov})
}

// Special is a dish of the day.
type Special struct {
	Name  string `json:"name"`
	Price int    `json:"price"`
	Until string `json:"until"`
}

// SpecialsView serves today's specials, which staff publish from the tablet.
func (s *Service) SpecialsView(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	raw, err := s.specials.Raw(venue) // EXPECT kvnull
	if err != nil {
		return err
	}
	var list []Special
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, list)
}

type publishSpecials struct {
	Venue    string    `json:"venue"`
	Specials []Special `json:"specials"`
}

func (c *publishSpecials) Validate() error {
	if c.Venue == "" || len(c.Specials) > 30 {
		return httpx.Status(http.StatusUnprocessableEntity, "venue required, at most 30 specials")
	}
	return nil
}

// PublishSpecials replaces today's specials.
func (s *Service) PublishSpecials(w http.ResponseWriter, r *http.Request) error {
	var cmd publishSpecials
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	end := time.Now().Truncate(24 * time.Hour).Add(30 * time.Hour)
	body, err := json.Marshal(cmd.Specials)
	if err != nil {
		return err
	}
	err = s.specials.Namespace().PutString(s.specials.Key(cmd.Venue), string(body), &kv.PutOptions{
		Expiration: int(end.Unix()),
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AllergenNote serves the venue's free-text allergen notice.
func (s *Service) AllergenNote(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	note, err := s.specials.Raw(venue + ":allergens")
	if err != nil {
		return err
	}
	if note == "" { // EXPECT kvnull
		note = "Please tell your server about any allergies."
	}
	return httpx.JSON(w, http.StatusOK, map[string]string{"note": note})
}

// InvalidateMenu drops a venue's cached menu after the origin changed it.
func (s *Service) InvalidateMenu(w http.ResponseWriter, r *http.Request) error {
	if err := s.menus.Invalidate(r.Context(), r.PathValue("venue")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
