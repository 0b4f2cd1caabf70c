package program

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
)

// Display holds a conference's presentation settings.
type Display struct {
	Timezone  string `json:"timezone"`
	Accent    string `json:"accent"`
	ShowRooms bool   `json:"show_rooms"`
	Locale    string `json:"locale"`
}

var fallbackDisplay = Display{Timezone: "UTC", Accent: "#1f4e79", ShowRooms: true, Locale: "en"}

// settingsKey maps a conference to its key in the settings namespace; the
// namespace holds nothing else, so the id is the key.
func settingsKey(c conf.ConferenceID) string { return string(c) }

// Display returns a conference's settings, falling back to the platform
// defaults.
func (s *Service) Display(ctx context.Context, c conf.ConferenceID) (Display, error) {
	raw, err := s.read(ctx, s.settings, settingsKey(c))
	if cfkv.IsNotFound(err) {
		return s.PlatformDefaults(ctx)
	}
	if err != nil {
		return Display{}, err
	}
	var d Display
	return d, json.Unmarshal(raw, &d)
}

// PlatformDefaults returns the settings used by conferences without their own.
func (s *Service) PlatformDefaults(ctx context.Context) (Display, error) {
	raw, err := s.read(ctx, s.settings, settingsKey("")) // EXPECT kvlimits
	if cfkv.IsNotFound(err) {
		return fallbackDisplay, nil
	}
	if err != nil {
		return Display{}, err
	}
	var d Display
	return d, json.Unmarshal(raw, &d)
}

// SeedDisplay gives a newly created conference the fallback settings unless
// it already has some.
func (s *Service) SeedDisplay(ctx context.Context, c conf.ConferenceID) error {
	if _, err := s.read(ctx, s.settings, settingsKey(c)); err != nil { // EXPECT kvnull
		body, _ := json.Marshal(fallbackDisplay)
		return s.write(ctx, s.settings, settingsKey(c), string(body), 0)
	}
	return nil
}

// KeynotePage is one page of keynote keys.
type KeynotePage struct {
	Names  []string
	Cursor string
}

// Keynotes lists the keynote records of a conference, one page at a time.
func (s *Service) Keynotes(ctx context.Context, c conf.ConferenceID, cursor string) (KeynotePage, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.t.AccountID),
		Prefix:    cloudflare.F("keynote:" + string(c) + ":"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.t.Client.KV.Namespaces.Keys.List(ctx, s.t.NamespaceID, params)
	if err != nil {
		return KeynotePage{}, err
	}
	out := KeynotePage{Cursor: page.ResultInfo.Cursors.After}
	for _, k := range page.Result {
		out.Names = append(out.Names, strings.TrimPrefix(k.Name, "keynote:"))
	}
	return out, nil
}
