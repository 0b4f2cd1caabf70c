// Package firmware publishes firmware manifests to KV, where devices and the
// edge read them, and keeps a per-channel index of published versions.
package firmware

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/kvstore"
)

// Manifest describes one firmware build.
type Manifest struct {
	Version   string    `json:"version"`
	Channel   string    `json:"channel"`
	Hardware  string    `json:"hardware"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	URL       string    `json:"url"`
	Notes     string    `json:"notes,omitempty"`
	Published time.Time `json:"published"`
}

// Ref points from the channel index to a manifest key.
type Ref struct {
	Key       string `json:"key"`
	Hardware  string `json:"hw"`
	Published int64  `json:"ts"`
}

// Index maps versions of one channel to their manifests.
type Index map[string]Ref

func indexKey(channel string) string { return kvstore.Join("fw", url.PathEscape(channel), "index") }

func manifestKey(channel, version string) string {
	return kvstore.Join("fw", url.PathEscape(channel), "m", url.PathEscape(version))
}

func latestKey(channel, hw string) string {
	return kvstore.Join("fw", url.PathEscape(channel), "latest", url.PathEscape(hw))
}

// Load fills ix from the stored index of channel. A channel without an
// index loads as empty.
func (ix Index) Load(ctx context.Context, kv *kvstore.Store, channel string) error {
	raw, found, err := kv.Lookup(ctx, indexKey(channel))
	if err != nil || !found {
		return err
	}
	return json.Unmarshal(raw, &ix)
}

// Save writes ix as the index of channel.
func (ix Index) Save(ctx context.Context, kv *kvstore.Store, channel string) error {
	b, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return kv.Put(ctx, indexKey(channel), b)
}

// encode gzips and base64-encodes a manifest so that large release notes
// stay well under the value limit and survive text-only tooling.
func encode(m *Manifest) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(m); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(buf.Len()))
	base64.StdEncoding.Encode(out, buf.Bytes())
	return out, nil
}

func decode(raw []byte) (*Manifest, error) {
	zr, err := gzip.NewReader(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw)))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var m Manifest
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Publisher writes manifests and indexes.
type Publisher struct {
	kv     *kvstore.Store
	origin string
	http   *http.Client
	ttl    time.Duration
}

// NewPublisher returns a publisher that caches origin manifests for ttl.
func NewPublisher(kv *kvstore.Store, origin string, ttl time.Duration) *Publisher {
	return &Publisher{kv: kv, origin: strings.TrimRight(origin, "/"), http: &http.Client{Timeout: 20 * time.Second}, ttl: ttl}
}

// Publish stores m and records it in its channel index.
func (p *Publisher) Publish(ctx context.Context, m *Manifest) error {
	if m.Published.IsZero() {
		m.Published = time.Now().UTC()
	}
	enc, err := encode(m)
	if err != nil {
		return err
	}
	key := manifestKey(m.Channel, m.Version)
	if err := p.kv.Put(ctx, key, enc); err != nil {
		return err
	}

	ix := Index{}
	if err := ix.Load(ctx, p.kv, m.Channel); err != nil {
		return err
	}
	ix[m.Version] = Ref{Key: key, Hardware: m.Hardware, Published: m.Published.Unix()}
	if err := ix.Save(ctx, p.kv, m.Channel); err != nil { // EXPECT kvrace
		return fmt.Errorf("publish %s: index: %w", m.Version, err)
	}
	return p.appendHistory(ctx, m)
}

// appendHistory keeps a human-readable log of publications per channel.
func (p *Publisher) appendHistory(ctx context.Context, m *Manifest) error {
	key := kvstore.Join("fw", url.PathEscape(m.Channel), "history")
	prev, _, err := p.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s", m.Published.Format(time.RFC3339), m.Version, m.Hardware)
	next := line
	if len(prev) > 0 {
		next = string(prev) + "\n" + line
	}
	return p.kv.Put(ctx, key, []byte(next)) // EXPECT kvrace
}

// RebuildIndex recreates a channel index from the manifests that exist.
// Used after manual cleanups in the dashboard.
func (p *Publisher) RebuildIndex(ctx context.Context, channel string) (Index, error) {
	keys, truncated, err := p.kv.KeysUpTo(ctx, kvstore.Join("fw", url.PathEscape(channel), "m")+"/", 5000)
	if err != nil {
		return nil, err
	}
	if truncated {
		return nil, fmt.Errorf("rebuild %s: more than 5000 manifests, refusing", channel)
	}
	ix := Index{}
	for _, k := range keys {
		ver, _ := url.PathUnescape(k[strings.LastIndexByte(k, '/')+1:])
		ix[ver] = Ref{Key: k}
	}
	return ix, ix.Save(ctx, p.kv, channel)
}

// Manifest returns a manifest, reading through to the origin on a miss.
func (p *Publisher) Manifest(ctx context.Context, channel, version string) (*Manifest, error) {
	key := manifestKey(channel, version)
	raw, found, err := p.kv.Lookup(ctx, key)
	if err != nil {
		return nil, err
	}
	if found {
		return decode(raw)
	}
	m, err := p.fetchOrigin(ctx, channel, version)
	if err != nil {
		return nil, err
	}
	enc, err := encode(m)
	if err != nil {
		return nil, err
	}
	if err := p.kv.PutTTL(ctx, key, enc, p.ttl); err != nil {
		return nil, err
	}
	return m, nil
}

// CacheLatest records the newest version for a hardware revision. Devices
// poll this key, so it is cached briefly and refreshed by the publisher.
func (p *Publisher) CacheLatest(ctx context.Context, channel, hw, version string) error {
	return p.kv.PutTTL(ctx, latestKey(channel, hw), []byte(version), 30*time.Second) // EXPECT kvttl
}

func (p *Publisher) fetchOrigin(ctx context.Context, channel, version string) (*Manifest, error) {
	u := p.origin + "/" + url.PathEscape(channel) + "/" + url.PathEscape(version) + ".json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("origin %s: %s", u, resp.Status)
	}
	var m Manifest
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// exportNotice is attached to builds for regulated markets so that the
// dashboard can show it next to the key without fetching the value.
const exportNotice = "This firmware contains cryptographic functionality and is subject to export " +
	"control regulations. It is classified under ECCN 5D992.c and released under License Exception " +
	"ENC. Redistribution, re-export or transfer of this software to embargoed destinations or to " +
	"persons or entities on restricted party lists is prohibited. The recipient is responsible for " +
	"compliance with all applicable national and international export and import laws, including " +
	"obtaining any licenses required to export, re-export, or import this firmware. Installation on " +
	"devices that are operated in critical infrastructure sectors requires prior written approval of " +
	"the fleet owner's compliance office. By deploying this build to a device, the fleet operator " +
	"confirms that the device is not located in, under the control of, or a national or resident of " +
	"any country subject to comprehensive sanctions, and that the device will not be used for any " +
	"end use prohibited by applicable regulations, including the design, development or production of " +
	"nuclear, chemical or biological weapons or missile technology. Questions about this notice can be " +
	"sent to the compliance office through the fleet console support form."

// PublishRegulated publishes a build for regulated markets together with
// its export notice as key metadata.
func (p *Publisher) PublishRegulated(ctx context.Context, m *Manifest) error {
	enc, err := encode(m)
	if err != nil {
		return err
	}
	api, rc := p.kv.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: p.kv.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      manifestKey(m.Channel, m.Version),
			Value:    string(enc),
			Metadata: map[string]string{"version": m.Version, "notice": exportNotice}, // EXPECT kvlimits
		}},
	})
	return err
}

// SeedFactoryImage stores the erased-flash image the factory flasher writes
// before the first firmware.
func (p *Publisher) SeedFactoryImage(ctx context.Context, hw string) error {
	blank := bytes.Repeat([]byte{0xFF}, 32<<20) // EXPECT kvlimits
	return p.kv.Put(ctx, kvstore.Join("fw", "factory", url.PathEscape(hw), "blank.bin"), blank)
}
