package maintenance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"quill/internal/kvstore"
)

// Settings are a writer's publication settings.
type Settings struct {
	Theme        string `json:"theme"`
	Paywalled    bool   `json:"paywalled"`
	DigestDay    string `json:"digest_day"`
	CommentsOpen bool   `json:"comments_open"`
}

func defaultSettings() Settings {
	return Settings{Theme: "serif", DigestDay: "sunday", CommentsOpen: true}
}

// LoadSettings reads a writer's settings, falling back to the defaults for
// writers who never changed them.
func (j *Janitor) LoadSettings(ctx context.Context, writer string) (Settings, error) {
	s := defaultSettings()
	res, err := j.api.Values.Get(ctx, j.ns, url.PathEscape("settings:"+writer), kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.account)})
	if err != nil {
		return s, fmt.Errorf("maintenance: settings of %s: %w", writer, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return s, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		err = json.Unmarshal(raw, &s)
	}
	return s, err
}

// SaveSettings writes a writer's settings, with the theme in metadata so
// listings can show it.
func (j *Janitor) SaveSettings(ctx context.Context, writer string, s Settings) error {
	b, _ := json.Marshal(s)
	_, err := j.api.Values.Update(ctx, j.ns, url.PathEscape("settings:"+writer), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.account),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F[any](map[string]string{"theme": s.Theme}),
	})
	return err
}

// Announce shows a site-wide banner on every publication, e.g. before a
// deploy.
func (j *Janitor) Announce(ctx context.Context, message string, d time.Duration) error {
	_, err := j.api.Values.Update(ctx, j.ns, "announce:site", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(j.account),
		Value:      cloudflare.F(message),
		Expiration: cloudflare.F(float64(time.Now().Add(d).Unix())),
	})
	return err
}

// AnnounceDeploy shows the "deploying, back in a moment" banner.
func (j *Janitor) AnnounceDeploy(ctx context.Context) error {
	_, err := j.api.Values.Update(ctx, j.ns, "announce:deploy", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(j.account),
		Value:      cloudflare.F("We're shipping an update. Pages may be slow for a moment."),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 30)), // EXPECT kvttl
	})
	return err
}

// templateVersion names the post template the cached renderings come from.
const templateVersion = "post-v7"

// postSchemaV7 is the JSON schema of rendered post fragments; the edge checks
// it before stitching fragments together.
const postSchemaV7 = `{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"quill post fragment v7",` +
	`"type":"object","required":["id","writer","slug","title","html","published_at","kind"],` +
	`"properties":{"id":{"type":"string","pattern":"^[a-z0-9]{12}$"},"writer":{"type":"string","minLength":3,"maxLength":40},` +
	`"slug":{"type":"string","pattern":"^[a-z0-9-]{1,120}$"},"title":{"type":"string","maxLength":300},` +
	`"subtitle":{"type":"string","maxLength":500},"html":{"type":"string"},"published_at":{"type":"string","format":"date-time"},` +
	`"kind":{"enum":["pub","paid","preview","teaser"]},"reading_minutes":{"type":"integer","minimum":0},` +
	`"tags":{"type":"array","items":{"type":"string","maxLength":40},"maxItems":12},` +
	`"cover":{"type":"object","properties":{"url":{"type":"string","format":"uri"},"alt":{"type":"string"},"width":{"type":"integer"},"height":{"type":"integer"}}},` +
	`"audio":{"type":"object","properties":{"url":{"type":"string","format":"uri"},"seconds":{"type":"integer"}}},` +
	`"footnotes":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"},"html":{"type":"string"}}}}}}`

// StoreRendering writes a rendered fragment with the template it came from.
func (j *Janitor) StoreRendering(ctx context.Context, key, html string) error {
	_, err := j.api.Values.Update(ctx, j.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(j.account),
		Value:         cloudflare.F(html),
		ExpirationTTL: cloudflare.F(3600.0),
		Metadata:      cloudflare.F[any](map[string]string{"template": templateVersion, "schema": postSchemaV7}), // EXPECT kvlimits
	})
	return err
}

// discoverKey caches the rendered discover page for one fixed query.
const discoverKey = "discover:v3:sort=trending:window=7d:lang=en:" +
	"fields=id,writer,writer_name,writer_avatar,slug,title,subtitle,cover_url,cover_alt,reading_minutes,published_at,tags,paywalled,likes,restacks,comment_count:" +
	"exclude=preview,draft,unlisted,removed,suspended,adult,under_review:" +
	"boost=founding_writer,staff_pick,new_writer_7d,streak_4w,local_timezone,followed_tag,followed_writer,similar_reader:" +
	"rank=recency*0.35+engagement*0.4+quality*0.25:dedupe=writer,series:" +
	"limit=60:offset=0:ab=discover_layout_grid_v2,discover_boost_fresh_v3,discover_paywall_badge_v1"

// WarmDiscover stores the rendered discover page.
func (j *Janitor) WarmDiscover(ctx context.Context, html string) error {
	_, err := j.api.Values.Update(ctx, j.ns, discoverKey, kv.NamespaceValueUpdateParams{ // EXPECT kvlimits
		AccountID:     cloudflare.F(j.account),
		Value:         cloudflare.F(html),
		ExpirationTTL: cloudflare.F(900.0),
	})
	return err
}

// TokenError wraps a failure on one token operation.
type TokenError struct {
	Op  string
	Err error
}

func (e *TokenError) Error() string { return "tokens: " + e.Op + ": " + e.Err.Error() }

func (e *TokenError) Unwrap() error { return e.Err }

func apiTokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "apitoken:" + hex.EncodeToString(sum[:])
}

func random(n int) (string, error) {
	b := make([]byte, n)
	_, err := rand.Read(b)
	return hex.EncodeToString(b), err
}

func (j *Janitor) put(ctx context.Context, key, value string, ttlSeconds float64) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(j.account), Value: cloudflare.F(value)}
	if ttlSeconds >= 60 {
		params.ExpirationTTL = cloudflare.F(ttlSeconds)
	}
	_, err := j.api.Values.Update(ctx, j.ns, url.PathEscape(key), params)
	return err
}

func (j *Janitor) del(ctx context.Context, key string) error {
	_, err := j.api.Values.Delete(ctx, j.ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.account)})
	if kvstore.IsNotFound(err) {
		return nil
	}
	return err
}

// IssueToken creates a publishing-API token for writer.
func (j *Janitor) IssueToken(ctx context.Context, writer string) (string, error) {
	tok, err := random(32)
	if err == nil {
		err = j.put(ctx, apiTokenKey(tok), writer, 0)
	}
	if err != nil {
		return "", &TokenError{Op: "issue", Err: err}
	}
	return tok, nil
}

// RotateToken replaces a writer's API token.
func (j *Janitor) RotateToken(ctx context.Context, writer, old string) (string, error) {
	tok, err := j.IssueToken(ctx, writer)
	if err != nil {
		return "", err
	}
	if err := j.del(ctx, apiTokenKey(old)); err != nil { // EXPECT kvsession
		return tok, &TokenError{Op: "rotate", Err: err}
	}
	return tok, nil
}

// BeginConnect starts Stripe Connect onboarding and returns the OAuth state.
func (j *Janitor) BeginConnect(ctx context.Context, writer string) (string, error) {
	state, err := random(24)
	if err == nil {
		err = j.put(ctx, "oauth:state:"+state, writer, 600)
	}
	if err != nil {
		return "", &TokenError{Op: "connect", Err: err}
	}
	return state, nil
}

// CompleteConnect checks the OAuth state Stripe sent back and returns the
// writer who started the flow.
func (j *Janitor) CompleteConnect(ctx context.Context, state string) (string, error) {
	key := "oauth:state:" + state
	res, err := j.api.Values.Get(ctx, j.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.account)})
	if kvstore.IsNotFound(err) {
		return "", &TokenError{Op: "connect", Err: fmt.Errorf("unknown or expired state")}
	}
	if err != nil {
		return "", &TokenError{Op: "connect", Err: err}
	}
	defer res.Body.Close()
	writer, err := io.ReadAll(res.Body)
	if err != nil {
		return "", &TokenError{Op: "connect", Err: err}
	}
	if err := j.del(ctx, key); err != nil { // EXPECT kvsession
		return "", &TokenError{Op: "connect", Err: err}
	}
	return string(writer), nil
}
