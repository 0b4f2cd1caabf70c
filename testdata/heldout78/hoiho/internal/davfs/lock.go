package davfs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"path"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// Locks implements webdav.LockSystem over KV so that every backend instance
// sees the locks taken through the others.
type Locks struct {
	KV *kvstore.Store
	// Ctx bounds the KV calls; the LockSystem interface carries no context.
	Ctx func() context.Context
}

var _ webdav.LockSystem = (*Locks)(nil)

type lockRecord struct {
	Token     string    `json:"token"`
	Root      string    `json:"root"`
	Owner     string    `json:"owner"`
	ZeroDepth bool      `json:"zero_depth"`
	Expires   time.Time `json:"expires"`
}

func lockKey(root string) string     { return "dav:lock:" + clean(root) }
func lockTokenKey(tok string) string { return "dav:locktok:" + tok }

func (l *Locks) ctx() context.Context {
	if l.Ctx != nil {
		return l.Ctx()
	}
	return context.Background()
}

func (l *Locks) read(root string) (*lockRecord, error) {
	var rec lockRecord
	if err := l.KV.GetJSON(l.ctx(), lockKey(root), &rec); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &rec, nil
}

// Confirm checks that the request's If conditions name the locks that cover
// name0 and name1.
func (l *Locks) Confirm(now time.Time, name0, name1 string, conditions ...webdav.Condition) (func(), error) {
	for _, name := range []string{name0, name1} {
		if name == "" {
			continue
		}
		for dir := clean(name); ; dir = path.Dir(dir) {
			rec, err := l.read(dir)
			if err != nil {
				return nil, err
			}
			if rec != nil && now.Before(rec.Expires) && (dir == clean(name) || !rec.ZeroDepth) {
				if !holds(conditions, rec.Token) {
					return nil, webdav.ErrLocked
				}
			}
			if dir == "/" {
				break
			}
		}
	}
	return func() {}, nil
}

func holds(conds []webdav.Condition, token string) bool {
	for _, c := range conds {
		if !c.Not && c.Token == token {
			return true
		}
	}
	return false
}

// Create takes a new lock on details.Root for details.Duration, which the
// handler parsed from the client's Timeout header.
func (l *Locks) Create(now time.Time, details webdav.LockDetails) (string, error) {
	cur, err := l.read(details.Root)
	if err != nil {
		return "", err
	}
	if cur != nil && now.Before(cur.Expires) {
		return "", webdav.ErrLocked
	}
	rec := lockRecord{
		Token:     "opaquelocktoken:" + strings.ToLower(rand.Text()),
		Root:      clean(details.Root),
		Owner:     details.OwnerXML,
		ZeroDepth: details.ZeroDepth,
		Expires:   now.Add(details.Duration),
	}
	raw, _ := json.Marshal(rec)
	ttl := max(details.Duration, time.Minute)
	if err := l.KV.Put(l.ctx(), lockKey(rec.Root), raw, ttl); err != nil { // EXPECT kvrace
		return "", err
	}
	if err := l.KV.Put(l.ctx(), lockTokenKey(rec.Token), []byte(rec.Root), ttl); err != nil {
		return "", err
	}
	return rec.Token, nil
}

// Refresh extends a lock by duration from now.
func (l *Locks) Refresh(now time.Time, token string, duration time.Duration) (webdav.LockDetails, error) {
	root, err := l.KV.Get(l.ctx(), lockTokenKey(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return webdav.LockDetails{}, webdav.ErrNoSuchLock
	}
	if err != nil {
		return webdav.LockDetails{}, err
	}
	rec := lockRecord{Token: token, Root: string(root), Expires: now.Add(duration)}
	raw, _ := json.Marshal(rec)
	if err := l.KV.Put(l.ctx(), lockKey(rec.Root), raw, time.Until(rec.Expires)); err != nil { // EXPECT kvttl
		return webdav.LockDetails{}, err
	}
	return webdav.LockDetails{Root: rec.Root, Duration: duration}, nil
}

// Unlock releases the lock identified by token.
func (l *Locks) Unlock(now time.Time, token string) error {
	root, err := l.KV.Get(l.ctx(), lockTokenKey(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return webdav.ErrNoSuchLock
	}
	if err != nil {
		return err
	}
	if err := l.KV.Delete(l.ctx(), lockKey(string(root))); err != nil {
		return err
	}
	return l.KV.Delete(l.ctx(), lockTokenKey(token)) // DEBATABLE kvsession
}
