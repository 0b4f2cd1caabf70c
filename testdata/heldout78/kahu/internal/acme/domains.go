package acme

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"kahu/internal/kv"
)

func keyAuthDigest(keyAuth string) string {
	sum := sha256.Sum256([]byte(keyAuth))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ErrDomainTaken is returned when another customer already uses a tracking host.
var ErrDomainTaken = errors.New("tracking domain already in use")

// TrackingDomains maps customers' click/open tracking hosts to accounts.
type TrackingDomains struct {
	NS kv.Namespace
}

type trackingRecord struct {
	Customer  string    `json:"customer"`
	Host      string    `json:"host"`
	CreatedAt time.Time `json:"created_at"`
	CertState string    `json:"cert_state"`
}

// Claim registers host (e.g. links.example.com) for customer.
func (t TrackingDomains) Claim(ctx context.Context, customer, host string) error {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	key := "track:" + host
	if _, err := t.NS.Get(ctx, key); err == nil {
		return ErrDomainTaken
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	b, _ := json.Marshal(trackingRecord{Customer: customer, Host: host, CreatedAt: time.Now(), CertState: "pending"})
	return t.NS.Put(ctx, key, b) // EXPECT kvrace
}

// Obtainer is the part of lego's certificate.Resolver the renewer uses.
type Obtainer interface {
	Obtain(ctx context.Context, domains []string) (certPEM, keyPEM []byte, notAfter time.Time, err error)
}

// Renewer renews certificates that expire within Window. Several replicas
// run it; a KV lock keeps them from ordering the same certificate twice.
type Renewer struct {
	NS     kv.Namespace
	Certs  kv.Namespace
	CA     Obtainer
	Node   string
	Window time.Duration
}

type certBundle struct {
	CertPEM  string    `json:"cert"`
	KeyPEM   string    `json:"key"`
	NotAfter time.Time `json:"not_after"`
}

// Renew orders a certificate for host if this replica wins the lock. ctx
// must carry a deadline; the lock lives until then.
func (r *Renewer) Renew(ctx context.Context, host string) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return fmt.Errorf("acme: renew %s: context has no deadline", host)
	}
	lockKey := "acme:lock:" + host
	if _, err := r.NS.Get(ctx, lockKey); err == nil {
		return nil // another replica is on it
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err := r.NS.PutTTL(ctx, lockKey, []byte(r.Node), // EXPECT kvrace
		time.Until(deadline)); err != nil { // EXPECT kvttl
		return err
	}
	certPEM, keyPEM, notAfter, err := r.CA.Obtain(ctx, []string{host})
	if err != nil {
		return err
	}
	b, _ := json.Marshal(certBundle{CertPEM: string(certPEM), KeyPEM: string(keyPEM), NotAfter: notAfter})
	return r.Certs.PutUntil(ctx, "cert:"+host, b, notAfter.Add(7*24*time.Hour))
}

// Due lists hosts whose certificate expires within Window. It reads at most
// maxPages pages per run; the next run continues where the scan stopped.
func (r *Renewer) Due(ctx context.Context, cursor string) (hosts []string, next string, err error) {
	const maxPages = 20
	horizon := time.Now().Add(r.Window).Unix()
	for page := 0; page < maxPages; page++ {
		p, err := r.Certs.ListPage(ctx, "cert:", cursor, 1000)
		if err != nil {
			return hosts, cursor, err
		}
		for _, k := range p.Keys {
			// cert keys expire a week after NotAfter
			if k.Expiration > 0 && int64(k.Expiration)-7*24*3600 < horizon {
				hosts = append(hosts, strings.TrimPrefix(k.Name, "cert:"))
			}
		}
		cursor = p.Cursor
		if cursor == "" {
			return hosts, "", nil
		}
	}
	return hosts, cursor, nil
}

// SweepChallenges removes HTTP-01 responses left behind by crashed orders.
func (r *Renewer) SweepChallenges(ctx context.Context, challenges kv.Namespace) (int, error) {
	removed, cursor := 0, ""
	for {
		p, err := challenges.ListPage(ctx, "acme:http01:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range p.Keys {
			if k.Expiration == 0 {
				if err := challenges.Delete(ctx, k.Name); err != nil {
					log.Printf("acme: sweep %s: %v", k.Name, err)
					continue
				}
				removed++
			}
		}
		if p.Cursor == "" {
			return removed, nil
		}
		cursor = p.Cursor
	}
}
