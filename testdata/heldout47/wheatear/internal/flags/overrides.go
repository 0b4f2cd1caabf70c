package flags

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/wheatear/flagsvc/internal/audit"
	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// mutateOverrides loads the overrides document of flag in env, applies fn
// and stores the result.
func (a *API) mutateOverrides(ctx context.Context, env, flag, actor string, fn func(*Overrides) error) (*Overrides, error) {
	key := kvkeys.PrefixOverride + env + ":" + flag
	ov := Overrides{Env: env, Flag: flag}
	raw, err := a.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &ov); err != nil {
			return nil, err
		}
	case kvstore.IsNotFound(err):
	default:
		return nil, err
	}
	if ov.Rules == nil {
		ov.Rules = map[string]Override{}
	}
	if err := fn(&ov); err != nil {
		return nil, err
	}
	ov.UpdatedAt = time.Now().UTC()
	ov.UpdatedBy = actor
	if raw, err = json.Marshal(ov); err != nil {
		return nil, err
	}
	if err := a.kv.Put(ctx, key, raw); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &ov, nil
}

func bumpEnvVersion(ctx context.Context, a *API, env string) {
	v := strconv.FormatInt(time.Now().UnixNano(), 10) + " " + env
	if err := a.kv.Put(ctx, kvkeys.KeyEnvVersion, []byte(v)); err != nil { // EXPECT kvhotkey
		a.log.Warn("env version not bumped", "env", env, "err", err)
	}
}

func handleSetOverride(a *API, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	env, name, rule := r.PathValue("env"), r.PathValue("name"), r.PathValue("r")
	var body struct {
		Override
		Actor string `json:"actor"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if len(body.Targets) > 500 {
		http.Error(w, "at most 500 targets per rule", http.StatusBadRequest)
		return
	}
	ov, err := a.mutateOverrides(ctx, env, name, body.Actor, func(o *Overrides) error {
		o.Rules[rule] = body.Override
		return nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	bumpEnvVersion(ctx, a, env)
	a.audit.Record(ctx, audit.Event{Env: env, Actor: body.Actor, Action: "override.set", Target: name + "/" + rule})
	writeJSON(w, http.StatusOK, ov)
}
