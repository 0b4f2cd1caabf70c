package courses

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// PlayerSettings are per-course options for the lesson player, edited by
// the instructor.
type PlayerSettings struct {
	Autoplay       bool    `json:"autoplay"`
	PlaybackRate   float64 `json:"playback_rate"`
	RequireInOrder bool    `json:"require_in_order"`
	Captions       string  `json:"captions"`
}

func DefaultPlayerSettings() PlayerSettings {
	return PlayerSettings{PlaybackRate: 1, Captions: "en"}
}

type SettingsStore struct {
	values  *kv.NamespaceValueService
	account string
	ns      string
}

func NewSettingsStore(client *cloudflare.Client, accountID, namespaceID string) *SettingsStore {
	return &SettingsStore{values: client.KV.Namespaces.Values, account: accountID, ns: namespaceID}
}

// Load returns the course's player settings, seeding the defaults the
// first time a course is opened in the player.
func (s *SettingsStore) Load(ctx context.Context, courseID string) (PlayerSettings, error) {
	key := "settings:player:" + courseID
	res, err := s.values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvnull
	if err != nil {
		def := DefaultPlayerSettings()
		raw, _ := json.Marshal(def)
		params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F(string(raw))}
		_, err = s.values.Update(ctx, s.ns, key, params)
		return def, err
	}
	defer res.Body.Close()
	var ps PlayerSettings
	err = json.NewDecoder(res.Body).Decode(&ps)
	return ps, err
}
