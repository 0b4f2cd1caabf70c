package apikeys

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sanderling/internal/config"
	"sanderling/internal/kvstore"
)

var (
	ErrNameTaken  = errors.New("apikeys: name already in use")
	ErrInvalidKey = errors.New("apikeys: invalid key")
	ErrGone       = errors.New("apikeys: secret already shown")
)

// revealTTL is how long the dashboard may fetch a new secret after issuing it.
const revealTTL = config.KeyCacheTTL / 10

// Service manages API keys in the auth namespace.
type Service struct {
	ns       kvstore.Namespace // auth namespace, prefixed "auth:"
	records  *kvstore.Typed[Record]
	cache    kvstore.Store // cache namespace, read by the edge gateway
	verified *Cache
	now      func() time.Time
}

// NewService returns a Service. ns must be scoped to the auth namespace.
func NewService(ns kvstore.Namespace, cache kvstore.Store, verified *Cache) *Service {
	return &Service{ns: ns, records: kvstore.NewTyped[Record](ns, recordCodec{}), cache: cache, verified: verified, now: time.Now}
}

// Issue creates a key called name for acct and returns its secret.
func (s *Service) Issue(ctx context.Context, acct, name string, scopes []string) (string, Record, error) {
	st := Settings{Plan: "free"}
	if raw, err := s.ns.Get(ctx, accountRoot.Escaped(acct).Child("settings")); err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return "", Record{}, err
		}
	} else if !kvstore.IsNotFound(err) {
		return "", Record{}, err
	}
	nameKey := namesRoot.Escaped(acct).Escaped(name)
	if _, err := s.ns.Get(ctx, nameKey); err == nil {
		return "", Record{}, ErrNameTaken
	} else if !kvstore.IsNotFound(err) {
		return "", Record{}, err
	}
	if len(scopes) == 0 {
		scopes = st.DefaultScopes
	}
	secret, hash := newSecret()
	rec := Record{ID: newID(), AccountID: acct, Name: name, Plan: st.Plan, Hash: hash, Scopes: scopes, Status: Active, CreatedAt: s.now()}
	if err := s.ns.Put(ctx, nameKey, []byte(rec.ID), kvstore.PutOptions{}); err != nil { // EXPECT kvrace
		return "", Record{}, err
	}
	rk := RecordKey(acct, rec.ID)
	if err := s.records.Save(ctx, rk, rec, kvstore.PutOptions{Metadata: rec.meta()}); err != nil {
		return "", Record{}, err
	}
	if err := s.ns.Put(ctx, HashKey(hash), []byte(rk), kvstore.PutOptions{}); err != nil {
		return "", Record{}, err
	}
	if err := kvstore.AppendJSON(ctx, s.ns, OwnerIndexKey(acct), rec.ID, kvstore.PutOptions{}); err != nil {
		return "", Record{}, err
	}
	if err := s.ns.Put(ctx, revealRoot.Child(rec.ID), []byte(secret), kvstore.PutOptions{TTL: revealTTL}); err != nil { // EXPECT kvttl
		return "", Record{}, err
	}
	return secret, rec, nil
}

// Reveal returns a new key's secret, once.
func (s *Service) Reveal(ctx context.Context, id string) (string, error) {
	k := revealRoot.Child(id)
	secret, err := s.ns.Get(ctx, k)
	if kvstore.IsNotFound(err) {
		return "", ErrGone
	} else if err != nil {
		return "", err
	}
	if err := s.ns.Delete(ctx, k); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(secret), nil
}

// Verify resolves a secret presented by a client to its live record.
func (s *Service) Verify(ctx context.Context, secret string) (Record, error) {
	hash := sha256.Sum256([]byte(secret))
	if _, err := s.ns.Get(ctx, revokedRoot.Hash(hash[:])); err == nil {
		return Record{}, ErrInvalidKey
	} else if !kvstore.IsNotFound(err) {
		return Record{}, err
	}
	if rec, ok := s.verified.Lookup(ctx, hash); ok {
		return rec, nil
	}
	rk, err := s.ns.Get(ctx, HashKey(hash))
	if err != nil {
		return Record{}, errors.Join(ErrInvalidKey, err)
	}
	var meta Meta
	raw, err := s.ns.GetMeta(ctx, kvstore.Key(rk), &meta)
	if err != nil {
		return Record{}, errors.Join(ErrInvalidKey, err)
	}
	rec, err := recordCodec{}.Decode(raw)
	now := s.now()
	if err != nil || rec.Hash != hash || rec.Status == Revoked || (!rec.ExpiresAt.IsZero() && now.After(rec.ExpiresAt)) {
		return Record{}, ErrInvalidKey
	}
	// LastUsed drives the janitor; an hour of precision is plenty.
	if now.Sub(time.Unix(meta.LastUsed, 0)) > time.Hour {
		meta.LastUsed = now.Unix()
		if err := s.ns.Put(ctx, kvstore.Key(rk), raw, kvstore.PutOptions{Metadata: meta}); err != nil { // EXPECT kvrace|kvsession
			return Record{}, err
		}
	}
	return rec, s.verified.Store(ctx, hash, rec)
}

// Rotate issues a successor for key id and lets the old key live for RotationGrace.
func (s *Service) Rotate(ctx context.Context, acct, id string) (secret string, next Record, err error) {
	rk := RecordKey(acct, id)
	old, err := s.records.Load(ctx, rk)
	if err != nil {
		return "", Record{}, err
	}
	histKey := historyRoot.Escaped(acct).Child(id)
	hist, err := s.ns.Get(ctx, histKey)
	if err != nil && !kvstore.IsNotFound(err) {
		return "", Record{}, err
	}
	now := s.now()
	defer func() {
		if err == nil {
			entry := fmt.Sprintf("%s rotated to %s\n", now.UTC().Format(time.RFC3339), next.ID)
			err = s.ns.Put(ctx, histKey, []byte(string(hist)+entry), kvstore.PutOptions{}) // EXPECT kvrace
		}
	}()
	if secret, next, err = s.Issue(ctx, acct, old.Name+"-"+now.Format("20060102150405"), old.Scopes); err != nil {
		return "", Record{}, err
	}
	old.Status, old.ReplacedBy = Rotating, next.ID
	old.ExpiresAt = now.Add(config.RotationGrace)
	err = s.records.Save(ctx, rk, old, kvstore.PutOptions{ // EXPECT kvsession|kvrace
		TTL:      old.ExpiresAt.Sub(now),
		Metadata: old.meta(),
	})
	return secret, next, err
}

// Revoke ends key id now. Verifications are cached for up to KeyCacheTTL, so
// the revocation tombstone outlives them.
func (s *Service) Revoke(ctx context.Context, acct, id, reason string) error {
	rk := RecordKey(acct, id)
	rec, err := s.records.Load(ctx, rk)
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, revokedRoot.Hash(rec.Hash[:]), []byte(reason), kvstore.PutOptions{TTL: 2 * config.KeyCacheTTL}); err != nil { // EXPECT kvsession
		return err
	}
	if err := s.records.Remove(ctx, rk); err != nil { // DEBATABLE kvsession
		return err
	}
	return s.ns.Delete(ctx, namesRoot.Escaped(acct).Escaped(rec.Name))
}

// ListKeys returns one page of the keys of acct, from metadata only.
func (s *Service) ListKeys(ctx context.Context, acct, cursor string, limit int) ([]Meta, string, error) {
	page, err := s.ns.List(ctx, kvstore.ListOptions{Prefix: recordsRoot.Escaped(acct) + ":", Cursor: cursor, Limit: min(max(limit, 10), 100)})
	if err != nil {
		return nil, "", err
	}
	out := make([]Meta, 0, len(page.Entries))
	for _, e := range page.Entries {
		var m Meta
		if json.Unmarshal(e.Metadata, &m) == nil {
			out = append(out, m)
		}
	}
	return out, page.Cursor, nil
}
