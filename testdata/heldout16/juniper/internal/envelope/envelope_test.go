package envelope

import (
	"encoding/json"
	"testing"
)

func TestUpgradeChain(t *testing.T) {
	c := Codec{Current: 3, Upgrades: map[int]Upgrader{
		1: func(m json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`{"v":2}`), nil },
		2: func(m json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`{"v":3}`), nil },
	}}
	env, up, err := c.Open([]byte(`{"legacy":true}`))
	if err != nil || !up || env.Schema != 3 {
		t.Fatalf("env=%+v up=%v err=%v", env, up, err)
	}
	if _, _, err := c.Open([]byte(`{"schema":9,"data":{}}`)); err == nil {
		t.Fatal("future schema accepted")
	}
}
