// Package shadow keeps the desired and reported state documents of each
// device ("device shadows").
package shadow

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/fleet/internal/cfkvutil"
	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/repo"
)

// Document is one side of a shadow.
type Document struct {
	Version int            `json:"version"`
	State   map[string]any `json:"state"`
	Updated time.Time      `json:"updated"`
}

// View merges both sides for the console.
type View struct {
	Device   string         `json:"device"`
	Desired  map[string]any `json:"desired"`
	Reported map[string]any `json:"reported"`
	InSync   bool           `json:"in_sync"`
}

type Service struct {
	desired  *repo.Repo[Document]
	store    kvstore.Store
	api      cfkvutil.Target
	cacheTTL time.Duration
}

func NewService(store kvstore.Store, api cfkvutil.Target, cacheTTL time.Duration) *Service {
	return &Service{
		desired:  repo.New[Document](store, keys.Shadow+"desired:"),
		store:    store,
		api:      api,
		cacheTTL: cacheTTL,
	}
}

func (s *Service) params() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.api.AccountID)}
}

func reportedKey(device string) string { return keys.Shadow + "reported:" + device }

// SetDesired merges patch into the desired document. Keys set to nil are
// removed.
func (s *Service) SetDesired(ctx context.Context, device string, patch map[string]any) (Document, error) {
	doc, _, err := s.desired.Get(ctx, device)
	if err != nil {
		return Document{}, err
	}
	if doc.State == nil {
		doc.State = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(doc.State, k)
			continue
		}
		doc.State[k] = v
	}
	doc.Version++
	doc.Updated = time.Now().UTC()
	if err := s.desired.Put(ctx, device, doc); err != nil { // EXPECT kvcounter|kvrace
		return Document{}, err
	}
	_ = s.store.Delete(ctx, "shadowview:"+device)
	return doc, nil
}

// Report replaces the reported document with what the device sent.
func (s *Service) Report(ctx context.Context, device string, state map[string]any, version int) error {
	b, err := json.Marshal(Document{Version: version, State: state, Updated: time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = s.api.Client.KV.Namespaces.Values.Update(ctx, s.api.NamespaceID, reportedKey(device), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.api.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(fmt.Sprintf(`{"v":%d}`, version)),
	})
	if err != nil {
		return err
	}
	return s.store.Delete(ctx, "shadowview:"+device)
}

// Reported returns the last reported document.
func (s *Service) Reported(ctx context.Context, device string) (Document, error) {
	res, err := s.api.Client.KV.Namespaces.Values.Get(ctx, s.api.NamespaceID, reportedKey(device), s.params()) // EXPECT kvnull
	if res == nil {
		return Document{}, fmt.Errorf("shadow: reported %s: %w", device, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		return Document{}, fmt.Errorf("shadow: decode reported %s: %w", device, err)
	}
	return doc, nil
}

// Init seeds a default desired document on first boot.
func (s *Service) Init(ctx context.Context, device string, defaults map[string]any) error {
	key := s.desired.Key(device)
	if _, err := s.api.Client.KV.Namespaces.Values.Get(ctx, s.api.NamespaceID, key, s.params()); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(Document{Version: 1, State: defaults, Updated: time.Now().UTC()})
		_, err = s.api.Client.KV.Namespaces.Values.Update(ctx, s.api.NamespaceID, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.api.AccountID),
			Value:     cloudflare.F(string(b)),
			Metadata:  cloudflare.F("{}"),
		})
		return err
	}
	return nil
}

// View returns the merged view, cached in KV for the console.
func (s *Service) View(ctx context.Context, device string) (View, error) {
	key := "shadowview:" + device
	v, found, err := codec.GetJSON[View](ctx, s.store, key)
	if err != nil || found {
		return v, err
	}
	desired, _, err := s.desired.Get(ctx, device)
	if err != nil {
		return View{}, err
	}
	reported, err := s.Reported(ctx, device)
	if err != nil {
		return View{}, err
	}
	v = View{Device: device, Desired: desired.State, Reported: reported.State, InSync: maps.EqualFunc(desired.State, reported.State, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) })}
	return v, codec.PutJSON(ctx, s.store, key, v, kvstore.WithTTL(s.cacheTTL))
}
