// Command fleetmaint is the weekly maintenance job. It is the first tool
// written against the v5 Cloudflare SDK: it retires the devices listed in a
// file, copies a firmware channel to the edge namespace, prunes stale
// snapshots and records the run.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

type maint struct {
	client    *cloudflare.Client
	account   string
	devicesNS string
	authNS    string
	edgeNS    string
	log       *slog.Logger
}

func main() {
	var (
		retireFile = flag.String("retire", "", "file with fleet/serial lines of devices to retire")
		channel    = flag.String("channel", "stable", "firmware channel to copy to the edge")
		maxPages   = flag.Int("max-pages", 50, "list pages to read per channel copy")
		bannerMsg  = flag.String("banner", "", "maintenance banner to show in the console while running")
	)
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	m := &maint{
		client:    cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		account:   os.Getenv("FLEET_ACCOUNT_ID"),
		devicesNS: os.Getenv("FLEET_NS_DEVICES"),
		authNS:    os.Getenv("FLEET_NS_AUTH"),
		edgeNS:    os.Getenv("FLEET_NS_FIRMWARE"),
		log:       log,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()

	started := time.Now()
	var errs []error
	if *bannerMsg != "" {
		errs = append(errs, m.banner(ctx, *bannerMsg))
	}
	if *retireFile != "" {
		errs = append(errs, m.retire(ctx, *retireFile))
	}
	errs = append(errs,
		m.copyChannel(ctx, *channel, *maxPages),
		m.pruneSnapshots(ctx, 14*24*time.Hour),
	)
	err := errors.Join(errs...)
	if rerr := m.recordRun(ctx, started, err); rerr != nil {
		log.Warn("record run", "err", rerr)
	}
	if err != nil {
		log.Error("fleetmaint", "err", err)
		os.Exit(1)
	}
}

func (m *maint) values() *kv.NamespaceValueService { return m.client.KV.Namespaces.Values }
func (m *maint) keys() *kv.NamespaceKeyService     { return m.client.KV.Namespaces.Keys }

func (m *maint) get(ctx context.Context, ns, key string) ([]byte, error) {
	resp, err := m.values().Get(ctx, ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(m.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// banner shows a console banner while the job runs.
func (m *maint) banner(ctx context.Context, msg string) error {
	_, err := m.values().Update(ctx, m.edgeNS, "console/banner", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(m.account),
		Value:      cloudflare.F(msg),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 45)), // EXPECT kvttl
	})
	return err
}

// retire removes the bearer tokens of the listed devices. The token keys
// are found through the metadata the API server writes with each token.
func (m *maint) retire(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	want := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}

	page, err := m.keys().List(ctx, m.authNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(m.account),
		Prefix:    cloudflare.F("dtok/"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range page.Result {
		md, _ := k.Metadata.(map[string]any)
		fleet, _ := md["fleet"].(string)
		serial, _ := md["serial"].(string)
		if !want[fleet+"/"+serial] {
			continue
		}
		_, err := m.values().Delete(ctx, m.authNS, url.PathEscape(k.Name), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(m.account)}) // EXPECT kvsession
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k.Name, err))
		}
	}
	return errors.Join(errs...)
}

// copyChannel mirrors the manifests of a channel into the edge namespace,
// reading at most maxPages list pages per run and resuming from the saved
// cursor next time.
func (m *maint) copyChannel(ctx context.Context, channel string, maxPages int) error {
	prefix := "fw/" + url.PathEscape(channel) + "/m/"
	cursorKey := "sync/" + channel + "/cursor"
	cursor := ""
	if raw, err := m.get(ctx, m.edgeNS, cursorKey); err == nil {
		cursor = string(raw)
	} else {
		var apiErr *cloudflare.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
			return err
		}
	}

	for pages := 0; pages < maxPages; pages++ {
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(m.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := m.keys().List(ctx, m.devicesNS, params)
		if err != nil {
			return err
		}
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(page.Result))
		for _, k := range page.Result {
			val, err := m.get(ctx, m.devicesNS, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(k.Name),
				Value:         cloudflare.F(string(val)),
				ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
			})
		}
		if len(body) > 0 {
			res, err := m.client.KV.Namespaces.BulkUpdate(ctx, m.edgeNS, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(m.account), Body: body})
			if err != nil {
				return err
			}
			if len(res.UnsuccessfulKeys) > 0 {
				m.log.Warn("bulk update incomplete", "failed", len(res.UnsuccessfulKeys))
			}
		}
		cursor = page.ResultInfo.Cursor
		_, err = m.values().Update(ctx, m.edgeNS, cursorKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(m.account),
			Value:     cloudflare.F(cursor),
		})
		if err != nil {
			return err
		}
		if cursor == "" {
			return nil
		}
	}
	return nil
}

// pruneSnapshots deletes device snapshots older than maxAge.
func (m *maint) pruneSnapshots(ctx context.Context, maxAge time.Duration) error {
	cutoff := float64(time.Now().Add(-maxAge).Unix())
	iter := m.keys().ListAutoPaging(ctx, m.devicesNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(m.account),
		Prefix:    cloudflare.F("dev/"),
	})
	var stale []string
	for iter.Next() {
		k := iter.Current()
		if strings.HasSuffix(k.Name, "/snapshot") && k.Expiration > 0 && k.Expiration < cutoff {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for len(stale) > 0 {
		n := min(len(stale), 10_000)
		if _, err := m.keys().BulkDelete(ctx, m.devicesNS, kv.NamespaceKeyBulkDeleteParams{AccountID: cloudflare.F(m.account), Body: stale[:n]}); err != nil {
			return err
		}
		stale = stale[n:]
	}
	return nil
}

// sampleEdge prints the first keys of the edge namespace for the job log.
func (m *maint) sampleEdge(ctx context.Context) (cursor string, err error) {
	page, err := m.keys().List(ctx, m.edgeNS, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.account),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return "", err
	}
	for _, k := range page.Result {
		m.log.Info("edge key", "name", k.Name)
	}
	return page.ResultInfo.Cursor, nil
}

type run struct {
	Started  time.Time `json:"started"`
	Duration string    `json:"duration"`
	Error    string    `json:"error,omitempty"`
}

// recordRun appends this run to the job history the console shows.
func (m *maint) recordRun(ctx context.Context, started time.Time, runErr error) error {
	var history []run
	raw, err := m.get(ctx, m.edgeNS, "maint/history") // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &history); err != nil {
			return err
		}
	}
	r := run{Started: started.UTC(), Duration: time.Since(started).Round(time.Second).String()}
	if runErr != nil {
		r.Error = runErr.Error()
	}
	history = append(history, r)
	if len(history) > 52 {
		history = history[len(history)-52:]
	}
	b, err := json.Marshal(history)
	if err != nil {
		return err
	}
	if _, err := m.sampleEdge(ctx); err != nil {
		m.log.Warn("sample", "err", err)
	}
	_, err = m.values().Update(ctx, m.edgeNS, "maint/history", kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(m.account),
		Value:     cloudflare.F(string(b)),
	})
	return err
}
