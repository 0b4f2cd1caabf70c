package kvnull

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare"
)

type showSettings struct {
	Explicit bool   `json:"explicit"`
	Language string `json:"language"`
}

// Seeds the settings where the get fails, which a missing key never
// does: GetString hands a miss back as "<null>".
func ensureShowSettings(shows *cloudflare.KVNamespace, show string, defaults showSettings) error {
	key := "settings:" + show
	if _, err := shows.GetString(key, nil); err != nil { // want `GetString reports a missing key as the string "<null>" with a nil error`
		b, _ := json.Marshal(defaults)
		return shows.PutString(key, string(b), nil)
	}
	return nil
}

// Quiet: the miss is told apart, and a failure is returned.
func ensureEpisodeSettings(shows *cloudflare.KVNamespace, episode string, defaults showSettings) error {
	key := "settings:" + episode
	v, err := shows.GetString(key, nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		b, _ := json.Marshal(defaults)
		return shows.PutString(key, string(b), nil)
	}
	return nil
}

// Quiet: a failure is logged and another key is written.
func noteFailure(shows *cloudflare.KVNamespace, episode string) error {
	if _, err := shows.GetString("transcript:"+episode, nil); err != nil {
		return shows.PutString("transcript-failed:"+episode, err.Error(), nil)
	}
	return nil
}
