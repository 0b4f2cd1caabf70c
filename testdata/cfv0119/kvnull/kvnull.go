package kvnull

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type profile struct {
	ID      string
	Name    string
	Created time.Time
}

type profiles struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// write stores p through the bulk endpoint, with one pair.
func (s *profiles) write(ctx context.Context, p profile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:    "profile:" + p.ID,
			Value:  base64.StdEncoding.EncodeToString(raw),
			Base64: true,
		}},
	})
	return err
}

// Any failure is taken for a first sign-in: a timeout replaces the
// stored profile with a new one.
func (s *profiles) initProfile(ctx context.Context, id, name string) (profile, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "profile:" + id}) // want `every error of this get is taken for a missing key`
	if err != nil {
		p := profile{ID: id, Name: name, Created: time.Now()}
		return p, s.write(ctx, p)
	}
	var p profile
	return p, json.Unmarshal(raw, &p)
}

// The get only asks whether the profile is there, and any failure is
// taken for "not there": a timeout replaces the stored profile.
func (s *profiles) ensureProfile(ctx context.Context, id, name string) error {
	if _, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "profile:" + id}); err == nil { // want `every error of this get is taken for a missing key`
		return nil
	}
	return s.write(ctx, profile{ID: id, Name: name, Created: time.Now()})
}

// Quiet: only a missing key creates the profile.
func (s *profiles) initProfileChecked(ctx context.Context, id, name string) (profile, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "profile:" + id})
	var missing *cloudflare.NotFoundError
	if errors.As(err, &missing) {
		p := profile{ID: id, Name: name, Created: time.Now()}
		return p, s.write(ctx, p)
	}
	if err != nil {
		return profile{}, err
	}
	var p profile
	return p, json.Unmarshal(raw, &p)
}
