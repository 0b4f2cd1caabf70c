package kvnull

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare"
)

type embargo struct {
	Tier     string    `json:"tier"`
	PublicAt time.Time `json:"public_at"`
}

// The decode's error assigned away: "<null>" fails to decode, and a
// missing embargo reads as none only by luck.
func embargoed(shows *cloudflare.KVNamespace, episode string, subscriber bool) (bool, error) {
	raw, err := shows.GetString("embargo:"+episode, nil) // want `a missing key reaches this value's parse, whose error is dropped`
	if err != nil {
		return false, err
	}
	var e embargo
	_ = json.Unmarshal([]byte(raw), &e)
	return e.Tier != "" && !subscriber && time.Now().Before(e.PublicAt), nil
}

// Quiet: the miss is told apart first.
func embargoedChecked(shows *cloudflare.KVNamespace, episode string, subscriber bool) (bool, error) {
	raw, err := shows.GetString("embargo:"+episode, nil)
	if err != nil || raw == "<null>" {
		return false, err
	}
	var e embargo
	_ = json.Unmarshal([]byte(raw), &e)
	return e.Tier != "" && !subscriber && time.Now().Before(e.PublicAt), nil
}
