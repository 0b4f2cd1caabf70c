package admin

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

const (
	// codePoolSize is how many single-use codes a conference badge run needs.
	codePoolSize = 15_000
	codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codeLifetime = 72 * time.Hour
)

// Codes provisions join codes in the CODES namespace.
type Codes struct {
	kv *KV
}

// NewCodes returns the provisioner.
func NewCodes(k *KV) *Codes { return &Codes{kv: k} }

func randomCode(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// Pregenerate writes a pool of codes for badge printing, all pointing at quizID.
func (c *Codes) Pregenerate(ctx context.Context, quizID string) ([]string, error) {
	codes := make([]string, 0, codePoolSize)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, codePoolSize)
	for range codePoolSize {
		code := randomCode(8)
		codes = append(codes, code)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("code:" + code),
			Value:         cloudflare.F(quizID),
			ExpirationTTL: cloudflare.F(float64(codeLifetime / time.Second)),
		})
	}
	_, err := c.kv.client.KV.Namespaces.BulkUpdate(ctx, c.kv.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.kv.account), Body: body}) // EXPECT kvlimits
	return codes, err
}

// Import reads "code,quiz" lines and writes them in bulk.
func (c *Codes) Import(ctx context.Context, r io.Reader, ttl time.Duration) (int, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = 2
	var body []kv.NamespaceBulkUpdateParamsBody
	var errs []error
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		code := strings.ToUpper(strings.TrimSpace(rec[0]))
		if code == "" || len(code) > 12 {
			errs = append(errs, fmt.Errorf("line %d: bad code %q", line, rec[0]))
			continue
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("code:" + code),
			Value:         cloudflare.F(strings.TrimSpace(rec[1])),
			ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
		})
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return len(body), c.kv.BulkPut(ctx, body)
}

// ClaimVanity reserves a vanity subdomain such as acme.merlin.quiz.
func (c *Codes) ClaimVanity(ctx context.Context, slug, hostID string) error {
	key := "vanity:" + strings.ToLower(slug)
	owner, err := c.kv.Get(ctx, key)
	switch {
	case err == nil && string(owner) != hostID:
		return fmt.Errorf("%s is taken", slug)
	case err != nil && !IsNotFound(err):
		return err
	}
	return c.kv.Put(ctx, key, []byte(hostID), 0) // EXPECT kvrace
}

// Retire expires the codes of a finished quiz an hour from now, leaving
// time for late joiners to see the results page.
func (c *Codes) Retire(ctx context.Context, codes []string, quizID string) error {
	at := float64(time.Now().Add(time.Hour).Unix())
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(codes))
	for _, code := range codes {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("code:" + code),
			Value:      cloudflare.F(quizID),
			Expiration: cloudflare.F(at),
		})
	}
	return c.kv.BulkPut(ctx, body)
}
