// Package episodes publishes episode projections to KV: the public episode
// document, chapter markers, embargo records and private preview links.
package episodes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/marlin/internal/catalog"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	kvadapter "example.com/marlin/internal/kv/cfkv"
)

// Chapter is one chapter marker.
type Chapter struct {
	Start time.Duration `json:"start"`
	Title string        `json:"title"`
	URL   string        `json:"url,omitempty"`
}

// Doc is the public episode document served to players.
type Doc struct {
	catalog.Episode
	Chapters []Chapter `json:"chapters,omitempty"`
}

// StorageKey implements kv.Keyed.
func (d Doc) StorageKey() string { return "episode:" + d.ID }

// Preview is a private link to an unpublished episode.
type Preview struct {
	Token     string `json:"token"`
	EpisodeID string `json:"episode_id"`
}

// StorageKey implements kv.Keyed.
func (p Preview) StorageKey() string { return "preview:" + p.Token }

// listingMeta rides along with each episode key so that listings can render
// without fetching values.
type listingMeta struct {
	Title   string `json:"t"`
	Number  int    `json:"n"`
	License string `json:"l,omitempty"`
}

const previewTTL = 15 * time.Second

// defaultLicense is attached to every episode unless the creator picks a
// different one.
const defaultLicense = "This episode is distributed under the terms of the Creator Distribution Agreement. " +
	"The creator retains all rights to the audio, artwork, transcript and show notes. Listeners may stream " +
	"and download the episode for personal, non-commercial use only. Redistribution, re-hosting, clipping for " +
	"commercial purposes, inclusion in compilations, or use of any portion of the audio to train machine " +
	"learning models is prohibited without the prior written consent of the creator. Advertising inserted " +
	"dynamically by the platform is licensed separately and may differ between downloads. The platform makes " +
	"no warranty as to the accuracy of statements made in the episode, and opinions expressed by hosts and " +
	"guests are their own. Requests for licensing, syndication or takedown should be sent to the contact " +
	"address listed on the show page. By downloading this episode you agree that the creator's chosen " +
	"jurisdiction governs any dispute arising from its use, and that these terms survive deletion of the " +
	"file from your device. Chapter markers, artwork and transcripts are covered by the same terms."

// Publisher writes episode projections.
type Publisher struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	store       kv.Store
	clock       clock.Clock
}

// NewPublisher wires a Publisher. store is the adapter over the same
// namespace; client is used where the REST API offers more than the port.
func NewPublisher(client *cloudflare.Client, accountID, namespaceID string, store kv.Store, c clock.Clock) *Publisher {
	return &Publisher{client: client, accountID: accountID, namespaceID: namespaceID, store: store, clock: c}
}

func (p *Publisher) update(key string, value []byte) cfkv.NamespaceValueUpdateParams {
	return cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.accountID),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

// Publish writes the public document for an episode taken from the catalog.
func (p *Publisher) Publish(ctx context.Context, ep catalog.Episode, chapters []Chapter) error {
	b, err := json.Marshal(Doc{Episode: ep, Chapters: chapters})
	if err != nil {
		return err
	}
	params := p.update(ep.ID, b)
	params.Metadata = cloudflare.F[any](listingMeta{Title: ep.Title, Number: ep.Number})
	_, err = p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, url.PathEscape("episode:"+ep.ID), params)
	return err
}

// PublishLicensed is Publish for episodes that carry the platform's default
// license text in their listing metadata.
func (p *Publisher) PublishLicensed(ctx context.Context, ep catalog.Episode) error {
	b, err := json.Marshal(Doc{Episode: ep})
	if err != nil {
		return err
	}
	return p.store.Put(ctx, "episode:"+ep.ID, b, kv.PutOptions{ // EXPECT kvlimits
		Metadata: listingMeta{Title: ep.Title, Number: ep.Number, License: defaultLicense},
	})
}

// AddChapter inserts a chapter marker into an episode's document.
func (p *Publisher) AddChapter(ctx context.Context, episodeID string, ch Chapter) error {
	key := url.PathEscape("episode:" + episodeID)
	res, err := p.client.KV.Namespaces.Values.Get(ctx, p.namespaceID, key, cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.accountID),
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var doc Doc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	doc.Chapters = append(doc.Chapters, ch)
	out, _ := json.Marshal(doc)
	_, err = p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, key, p.update(key, out)) // EXPECT kvrace
	return err
}

// Embargo hides an episode from the public feed until at. Embargoes closer
// than a minute are not worth a KV record; the caller publishes directly.
func (p *Publisher) Embargo(ctx context.Context, episodeID string, at time.Time) (bool, error) {
	if clock.Until(p.clock, at) < time.Minute {
		return false, nil
	}
	params := p.update(episodeID, []byte(at.Format(time.RFC3339)))
	params.Expiration = cloudflare.F(float64(at.Unix()))
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, url.PathEscape("embargo:"+episodeID), params)
	return err == nil, err
}

// Announce writes the "new episode" banner shown on the show page for two
// days after release.
func (p *Publisher) Announce(ctx context.Context, ep catalog.Episode) error {
	params := p.update(ep.ID, []byte(ep.Title))
	params.Expiration = cloudflare.F(float64(p.clock.Now().Add(48 * time.Hour).UnixMilli())) // EXPECT kvttl
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, url.PathEscape("banner:"+ep.ShowID), params)
	return err
}

// Spotlight pins an episode to the home page for a week.
func (p *Publisher) Spotlight(ctx context.Context, ep catalog.Episode) error {
	params := p.update(ep.ID, []byte(ep.ID))
	params.ExpirationTTL = cloudflare.F((7 * 24 * time.Hour).Seconds())
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.namespaceID, url.PathEscape("spotlight:"+ep.ShowID), params)
	return err
}

// NewPreview mints a private preview link for an unpublished episode.
func (p *Publisher) NewPreview(ctx context.Context, episodeID string) (Preview, error) {
	var buf [16]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return Preview{}, err
	}
	pv := Preview{Token: hex.EncodeToString(buf[:]), EpisodeID: episodeID}
	b, _ := json.Marshal(pv)
	return pv, p.store.Put(ctx, pv.StorageKey(), b, kv.PutOptions{TTL: previewTTL}) // EXPECT kvttl
}

// ResolvePreview returns the episode a preview token points to.
func (p *Publisher) ResolvePreview(ctx context.Context, token string) (string, error) {
	pv, err := kv.Load[Preview](ctx, p.store, Preview{Token: token}.StorageKey())
	if err != nil {
		return "", err
	}
	return pv.EpisodeID, nil
}

// Doc returns the published document of an episode.
func (p *Publisher) Doc(ctx context.Context, episodeID string) (Doc, error) {
	res, err := p.client.KV.Namespaces.Values.Get(ctx, p.namespaceID, url.PathEscape("episode:"+episodeID), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.accountID),
	})
	if kvadapter.IsNotFound(err) {
		return Doc{}, kv.ErrNotFound
	}
	if err != nil {
		return Doc{}, fmt.Errorf("episode %s: %w", episodeID, err)
	}
	defer res.Body.Close()
	var d Doc
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
		return Doc{}, err
	}
	return d, nil
}
