package profiles

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// currentSchema is the schema version written by this build.
const currentSchema = 2

// envelope is the stored form of a profile. Data is decoded according to
// Schema; Rev increases by one on every update.
type envelope struct {
	Schema int             `json:"schema"`
	Rev    int64           `json:"rev"`
	Data   json.RawMessage `json:"data"`
}

// Profile is the current in-memory shape.
type Profile struct {
	PlayerID    string    `json:"player_id"`
	DisplayName string    `json:"display_name"`
	Region      string    `json:"region"`
	Level       int       `json:"level"`
	Title       string    `json:"title,omitempty"`
	Cosmetics   []string  `json:"cosmetics,omitempty"`
	Updated     time.Time `json:"updated"`
}

// profileV1 was written by the launch build: no regions, cosmetics as a
// comma-separated string.
type profileV1 struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Lvl   int    `json:"lvl"`
	Skins string `json:"skins"`
}

// upgrade converts env to currentSchema; the bool reports a change.
func upgrade(env envelope) (envelope, bool, error) {
	switch env.Schema {
	case currentSchema:
		return env, false, nil
	case 0, 1:
		var v1 profileV1
		if err := json.Unmarshal(env.Data, &v1); err != nil {
			return env, false, fmt.Errorf("profiles: schema 1: %w", err)
		}
		p := Profile{PlayerID: v1.ID, DisplayName: v1.Name, Level: v1.Lvl, Region: "global"}
		if v1.Skins != "" {
			p.Cosmetics = strings.Split(v1.Skins, ",")
		}
		data, err := json.Marshal(p)
		return envelope{Schema: currentSchema, Rev: env.Rev, Data: data}, true, err
	}
	return env, false, fmt.Errorf("profiles: unknown schema %d", env.Schema)
}

func wrap(p Profile, rev int64) ([]byte, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return json.Marshal(envelope{Schema: currentSchema, Rev: rev, Data: data})
}
