// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go/v6,
// the generated SDK: options are param.Field values set with cloudflare.F.
package kvttl

import (
	"context"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
}

func (s *store) literal(ctx context.Context, key, v string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(30.0), // want `ExpirationTTL 30 is below KV's 60-second minimum`
	})
	return err
}

// Zero is sent when given with cloudflare.F, and rejected.
func (s *store) explicitZero(ctx context.Context, key, v string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(float64(0)), // want `ExpirationTTL 0 is below`
	})
	return err
}

func (s *store) fieldByField(ctx context.Context, key, v string) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.accountID)}
	params.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v))
	params.ExpirationTTL = cloudflare.Float(45) // want `ExpirationTTL 45 is below`
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

func (s *store) duration(ctx context.Context, key, v string, ttl time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(float64(ttl)), // want `converts a time.Duration to nanoseconds`
	})
	return err
}

func (s *store) expiration(ctx context.Context, key, v string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		Expiration: cloudflare.F(float64(time.Now().Add(20 * time.Second).Unix())), // want `Expiration is time.Now\(\) plus 20s`
	})
	return err
}

// Correct code: an hour, a run-time duration in seconds, no TTL at all.
func (s *store) correct(ctx context.Context, key, v string, ttl time.Duration) error {
	for _, p := range []kv.NamespaceValueUpdateParams{
		{AccountID: cloudflare.F(s.accountID), ExpirationTTL: cloudflare.F(3600.0)},
		{AccountID: cloudflare.F(s.accountID), ExpirationTTL: cloudflare.F(ttl.Seconds())},
		{AccountID: cloudflare.F(s.accountID), Expiration: cloudflare.F(float64(time.Now().Add(10 * time.Minute).Unix()))},
		{AccountID: cloudflare.F(s.accountID)},
	} {
		if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *store) bulk(ctx context.Context, keys []string) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	for _, k := range keys {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(k),
			Value:         cloudflare.F("1"),
			ExpirationTTL: cloudflare.F(15.0), // want `ExpirationTTL 15 is below`
		})
	}
	_, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

func (s *store) bulkKeys(ctx context.Context) error {
	_, err := s.client.KV.Namespaces.Keys.BulkUpdate(ctx, s.nsID, kv.NamespaceKeyBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceKeyBulkUpdateParamsBody{
			{Key: cloudflare.F("a"), Value: cloudflare.F("1"), ExpirationTTL: cloudflare.F(59.0)}, // want `ExpirationTTL 59 is below`
			{Key: cloudflare.F("b"), Value: cloudflare.F("1"), ExpirationTTL: cloudflare.F(60.0)},
		},
	})
	return err
}

// A batch written in chunks by a helper, and options that callers build for
// a helper that sends them.
func (s *store) writeChunks(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	for chunk := range slices.Chunk(body, 5000) {
		if _, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *store) chunked(ctx context.Context, keys []string, validUntil time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(keys))
	for _, k := range keys {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(k),
			Value:      cloudflare.F("1"),
			Expiration: cloudflare.F(float64(validUntil.UnixMilli())), // want `a Unix time in ms`
		})
	}
	return s.writeChunks(ctx, body)
}

func (s *store) putParams(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cloudflare.F(s.accountID)
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

func (s *store) banners(ctx context.Context) {
	_ = s.putParams(ctx, "banner", kv.NamespaceValueUpdateParams{
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("sale")),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // want `Expiration is time.Now\(\) plus 30s`
	})
	var params kv.NamespaceValueUpdateParams
	params.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("sale"))
	params.Expiration = cloudflare.F(float64(time.Now().Add(time.Hour).Unix()))
	_ = s.putParams(ctx, "banner", params)
}
