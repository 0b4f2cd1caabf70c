// Package certs renews certificates kept in KV, one node at a time per
// host: a lock taken per host, then the certificate written.
package certs

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Namespace is one KV namespace.
type Namespace struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	ID  string
}

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("certs: key not found")

// Get reads key.
func (n Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := n.API.GetWorkersKV(ctx, n.RC, cloudflare.GetWorkersKVParams{NamespaceID: n.ID, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, ErrNotFound
	}
	return v, err
}

// PutTTL writes key for ttl; this SDK takes a lifetime only in a bulk
// write.
func (n Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.API.WriteWorkersKVEntries(ctx, n.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: int(ttl.Seconds())}},
	})
	return err
}

// Page is one page of a listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// ListPage lists one page of keys under prefix from cursor.
func (n Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := n.API.ListWorkersKVKeys(ctx, n.RC, cloudflare.ListWorkersKVsParams{NamespaceID: n.ID, Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}

// Obtainer orders certificates.
type Obtainer interface {
	Obtain(ctx context.Context, host string) (cert []byte, notAfter time.Time, err error)
}

// Renewer finds and renews certificates that expire soon.
type Renewer struct {
	Locks, Certs Namespace
	CA           Obtainer
	Node         string
}

// Renew orders a certificate for host unless another node holds its
// renewal lock, which lives until ctx's deadline.
func (r *Renewer) Renew(ctx context.Context, host string) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return errors.New("renew: no deadline")
	}
	lockKey := "lock:" + host
	if _, err := r.Locks.Get(ctx, lockKey); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := r.Locks.PutTTL(ctx, lockKey, []byte(r.Node), time.Until(deadline)); err != nil {
		return err
	}
	cert, notAfter, err := r.CA.Obtain(ctx, host)
	if err != nil {
		return err
	}
	return r.Certs.PutTTL(ctx, "cert:"+host, cert, time.Until(notAfter))
}

// Due lists the hosts of the certificates that expire within horizon,
// up to twenty pages a run from cursor, and where it stopped.
func (r *Renewer) Due(ctx context.Context, cursor string, horizon int) (hosts []string, next string, err error) {
	for page := 0; page < 20; page++ {
		p, err := r.Certs.ListPage(ctx, "cert:", cursor, 1000)
		if err != nil {
			return hosts, cursor, err
		}
		for _, k := range p.Keys {
			if k.Expiration > 0 && k.Expiration < horizon {
				hosts = append(hosts, strings.TrimPrefix(k.Name, "cert:"))
			}
		}
		if cursor = p.Cursor; cursor == "" {
			return hosts, "", nil
		}
	}
	return hosts, cursor, nil
}
