package ota

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// DownloadToken lets one device fetch one image from the CDN.
type DownloadToken struct {
	Token    string `json:"token"`
	DeviceID string `json:"device_id"`
	Version  string `json:"version"`
	Sig      string `json:"sig"`
}

func sign(secret []byte, parts ...string) string {
	m := hmac.New(sha256.New, secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// IssueDownloadToken mints a token the device must redeem right away; the
// edge Worker deletes it on first use.
func (s *Service) IssueDownloadToken(ctx context.Context, secret []byte, deviceID, version string) (DownloadToken, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return DownloadToken{}, err
	}
	t := DownloadToken{Token: base64.RawURLEncoding.EncodeToString(b[:]), DeviceID: deviceID, Version: version}
	t.Sig = sign(secret, t.Token, deviceID, version)
	raw, _ := json.Marshal(t)

	params := s.value(raw)
	params.Expiration = cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())) // EXPECT kvttl
	if _, err := s.update(ctx, s.cfg.NamespaceID, url.PathEscape("dl-token:"+t.Token), params); err != nil {
		return DownloadToken{}, fmt.Errorf("store download token: %w", err)
	}
	return t, nil
}

// IssueResumeToken is for large images fetched over flaky links; the device
// may resume for a quarter of an hour.
func (s *Service) IssueResumeToken(ctx context.Context, secret []byte, deviceID, version string) (DownloadToken, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return DownloadToken{}, err
	}
	t := DownloadToken{Token: base64.RawURLEncoding.EncodeToString(b[:]), DeviceID: deviceID, Version: version}
	t.Sig = sign(secret, t.Token, deviceID, version, "resume")
	raw, _ := json.Marshal(t)

	params := s.value(raw)
	params.Expiration = cloudflare.F(float64(time.Now().Add(15 * time.Minute).Unix()))
	if _, err := s.update(ctx, s.cfg.NamespaceID, url.PathEscape("dl-token:"+t.Token), params); err != nil {
		return DownloadToken{}, fmt.Errorf("store resume token: %w", err)
	}
	return t, nil
}

// stagePairs builds the bulk body for pre-staging manifests at the edge.
func stagePairs(ms []Manifest, ttl time.Duration) ([]kv.NamespaceBulkUpdateParamsBody, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(ms))
	for _, m := range ms {
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("manifest:" + m.Version),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
		})
	}
	return body, nil
}

// Stage pushes manifests for an upcoming release so the edge does not have
// to go to origin when the rollout opens.
func (s *Service) Stage(ctx context.Context, ms []Manifest, ttl time.Duration) error {
	body, err := stagePairs(ms, ttl)
	if err != nil {
		return err
	}
	res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.cfg.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("stage manifests: %w", err)
	}
	s.log.InfoContext(ctx, "staged manifests", "written", res.SuccessfulKeyCount, "failed", len(res.UnsuccessfulKeys))
	return nil
}

// pinPairs builds the bulk body that pins each device to a version.
func pinPairs(rolloutID string, devices []string, until time.Time) []kv.NamespaceBulkUpdateParamsBody {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(devices))
	for _, d := range devices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("pin:" + d),
			Value:      cloudflare.F(rolloutID),
			Expiration: cloudflare.F(float64(until.Unix())),
		})
	}
	return body
}

// Pin pins devices to a rollout for a week.
func (s *Service) Pin(ctx context.Context, rolloutID string, devices []string) error {
	_, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.cfg.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Body:      pinPairs(rolloutID, devices, time.Now().Add(7*24*time.Hour)),
	})
	return err
}

// RecordDownload bumps the per-version download tally shown on the rollout
// dashboard.
func (s *Service) RecordDownload(ctx context.Context, version string) error {
	key := "dl-total:" + version
	total := 0
	if raw, err := s.read(ctx, key); err == nil {
		total, _ = strconv.Atoi(string(raw))
	}
	put := s.update
	_, err := put(ctx, s.cfg.NamespaceID, url.PathEscape(key), s.value([]byte(strconv.Itoa(total+1)))) // EXPECT kvcounter
	return err
}
