//go:build js && wasm

package kvx

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/ports"
)

// Sessions stores sessions as JSON under prefix+id.
func Sessions(n *Namespace, prefix string) ports.SessionStore {
	return ports.SessionStore{
		Load: func(_ context.Context, id string) (ports.Session, error) {
			var s ports.Session
			ok, err := n.Decode(prefix+id, &s)
			if err != nil {
				return s, err
			}
			if !ok {
				return s, ports.ErrNotFound
			}
			return s, nil
		},
		Save: func(_ context.Context, s ports.Session, ttl time.Duration) error {
			if s.ID == "" {
				return errors.New("kvx: session without id")
			}
			return n.PutJSON(prefix+s.ID, s, ttl)
		},
		Drop: func(_ context.Context, id string) error {
			return n.Delete(prefix + id)
		},
	}
}

// Revocations keeps revoked token ids until the token would have expired anyway.
func Revocations(n *Namespace, now ports.Clock) ports.RevocationList {
	if now == nil {
		now = time.Now
	}
	return ports.RevocationList{
		Revoke: func(_ context.Context, jti string, until time.Time) error {
			if floor := now().Add(MinTTL); until.Before(floor) {
				until = floor
			}
			return n.PutUntil("revoked:"+jti, "1", until)
		},
		Revoked: func(_ context.Context, jti string) (bool, error) {
			_, ok, err := n.Lookup("revoked:" + jti)
			return ok, err
		},
	}
}

// StationStatus keeps live station status under "status:<station>".
func StationStatus(n *Namespace) ports.StatusStore {
	const prefix = "status:"
	return ports.StatusStore{
		Find: finder(n, prefix),
		Get: func(_ context.Context, id string) (domain.StationStatus, error) {
			var st domain.StationStatus
			ok, err := n.Decode(prefix+id, &st)
			if err == nil && !ok {
				err = ports.ErrNotFound
			}
			return st, err
		},
		Put: func(_ context.Context, st domain.StationStatus) error {
			return n.PutJSON(prefix+st.StationID, st, 0)
		},
	}
}

func Docs(n *Namespace) ports.DocStore {
	return ports.DocStore{
		Read: func(_ context.Context, key string) ([]byte, error) {
			s, ok, err := n.Lookup(key)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, ports.ErrNotFound
			}
			return []byte(s), nil
		},
		Write: func(_ context.Context, key string, doc []byte, ttl time.Duration) error {
			return n.Put(key, string(doc), ttl)
		},
		Find: finder(n, ""),
	}
}

// finder lists one page under base+q.Prefix and strips base from the names.
func finder(n *Namespace, base string) func(context.Context, ports.Query) (ports.Page, error) {
	return func(_ context.Context, q ports.Query) (ports.Page, error) {
		q = q.WithDefaults()
		res, err := n.List(base+q.Prefix, q.After, q.Limit)
		if err != nil {
			return ports.Page{}, err
		}
		p := ports.Page{Next: res.Cursor, Complete: res.ListComplete}
		for _, k := range res.Keys {
			p.Keys = append(p.Keys, strings.TrimPrefix(k.Name, base))
		}
		return p, nil
	}
}
