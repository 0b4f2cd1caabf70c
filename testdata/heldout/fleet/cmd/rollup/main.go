// Command rollup is the nightly job that folds yesterday's per-device message
// counts into lifetime totals and publishes the fleet summary the console
// shows on its landing page.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type job struct {
	accountID string
	ns        string
	db        *sql.DB
	log       *slog.Logger

	get    func(ctx context.Context, namespaceID, keyName string, query kv.NamespaceValueGetParams, opts ...option.RequestOption) (*http.Response, error)
	update func(ctx context.Context, namespaceID, keyName string, params kv.NamespaceValueUpdateParams, opts ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error)
	del    func(ctx context.Context, namespaceID, keyName string, body kv.NamespaceValueDeleteParams, opts ...option.RequestOption) (*kv.NamespaceValueDeleteResponse, error)
	bulk   func(ctx context.Context, namespaceID string, params kv.NamespaceBulkUpdateParams, opts ...option.RequestOption) (*kv.NamespaceBulkUpdateResponse, error)
}

var errMissing = errors.New("missing")

func (j *job) read(ctx context.Context, key string) ([]byte, error) {
	res, err := j.get(ctx, j.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, errMissing
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (j *job) readInt(ctx context.Context, key string) (int, error) {
	raw, err := j.read(ctx, key)
	if errors.Is(err, errMissing) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func (j *job) params(v string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
}

// acquire takes the job lock so two cron hosts do not both run the rollup.
func (j *job) acquire(ctx context.Context, owner string) (bool, error) {
	if _, err := j.read(ctx, "rollup:lock"); err == nil {
		return false, nil
	} else if !errors.Is(err, errMissing) {
		return false, err
	}
	p := j.params(owner)
	p.ExpirationTTL = cloudflare.F(float64(15 * 60))
	if _, err := j.update(ctx, j.ns, url.PathEscape("rollup:lock"), p); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

func (j *job) release(ctx context.Context) {
	if _, err := j.del(ctx, j.ns, url.PathEscape("rollup:lock"), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.accountID)}); err != nil {
		j.log.Warn("release lock", "err", err)
	}
}

// totalPair builds the bulk item for one device's lifetime total.
func totalPair(deviceID string, total int) kv.NamespaceBulkUpdateParamsBody {
	return kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F("total:" + deviceID),
		Value: cloudflare.F(strconv.Itoa(total)),
	}
}

// foldAll adds each device's daily count to its lifetime total.
func (j *job) foldAll(ctx context.Context, devices []string, day string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(devices))
	for _, id := range devices {
		daily, err := j.readInt(ctx, "msgs:"+id+":"+day)
		if err != nil {
			return fmt.Errorf("daily %s: %w", id, err)
		}
		if daily == 0 {
			continue
		}
		prev, err := j.readInt(ctx, "total:"+id)
		if err != nil {
			return fmt.Errorf("total %s: %w", id, err)
		}
		body = append(body, totalPair(id, prev+daily))
	}
	if len(body) == 0 {
		return nil
	}
	res, err := j.bulk(ctx, j.ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(j.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	j.log.Info("folded totals", "written", res.SuccessfulKeyCount, "failed", len(res.UnsuccessfulKeys))
	return nil
}

// foldOne is the --device path used when support re-runs a single device.
func (j *job) foldOne(ctx context.Context, id, day string) error {
	daily, err := j.readInt(ctx, "msgs:"+id+":"+day)
	if err != nil {
		return err
	}
	total, err := j.readInt(ctx, "total:"+id)
	if err != nil {
		return err
	}
	total += daily
	_, err = j.update(ctx, j.ns, url.PathEscape("total:"+id), j.params(strconv.Itoa(total))) // EXPECT kvcounter
	return err
}

// Summary is the landing-page snapshot; every figure comes from D1.
type Summary struct {
	Devices   int       `json:"devices"`
	Online24h int       `json:"online_24h"`
	Firmware  []string  `json:"firmware"`
	AsOf      time.Time `json:"as_of"`
}

func (j *job) publishSummary(ctx context.Context) error {
	var s Summary
	if err := j.db.QueryRowContext(ctx,
		`SELECT COUNT(*), SUM(CASE WHEN last_seen > datetime('now','-1 day') THEN 1 ELSE 0 END) FROM devices`,
	).Scan(&s.Devices, &s.Online24h); err != nil {
		return err
	}
	rows, err := j.db.QueryContext(ctx, `SELECT DISTINCT firmware FROM devices ORDER BY firmware`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fw string
		if err := rows.Scan(&fw); err != nil {
			return err
		}
		s.Firmware = append(s.Firmware, fw)
	}
	s.AsOf = time.Now().UTC()
	raw, _ := json.Marshal(s)

	p := j.params(string(raw))
	p.ExpirationTTL = cloudflare.F(float64(26 * 60 * 60))
	if _, err := j.update(ctx, j.ns, url.PathEscape("fleet:summary"), p); err != nil {
		return err
	}

	// The pointer to today's report expires when the next run is due.
	nextRun := time.Now().UTC().Truncate(24 * time.Hour).Add(26 * time.Hour)
	ptr := j.params("reports/" + s.AsOf.Format("2006-01-02") + ".json")
	ptr.Expiration = cloudflare.F(float64(nextRun.UnixMilli())) // EXPECT kvttl
	_, err = j.update(ctx, j.ns, url.PathEscape("report:latest"), ptr)
	return err
}

func (j *job) dropDaily(ctx context.Context, devices []string, day string) {
	for _, id := range devices {
		if _, err := j.del(ctx, j.ns, url.PathEscape("msgs:"+id+":"+day), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.accountID)}); err != nil {
			j.log.Warn("drop daily", "device", id, "err", err)
		}
	}
}

func main() {
	device := flag.String("device", "", "fold a single device")
	dayFlag := flag.String("day", time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02"), "day to fold")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	db, err := sql.Open(os.Getenv("DB_DRIVER"), os.Getenv("DB_DSN"))
	if err != nil {
		log.Error("open db", "err", err)
		os.Exit(1)
	}
	defer db.Close()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	j := &job{
		accountID: os.Getenv("CF_ACCOUNT_ID"),
		ns:        os.Getenv("KV_REGISTRY_NS"),
		db:        db,
		log:       log,
		get:       client.KV.Namespaces.Values.Get,
		update:    client.KV.Namespaces.Values.Update,
		del:       client.KV.Namespaces.Values.Delete,
		bulk:      client.KV.Namespaces.BulkUpdate,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	if *device != "" {
		if err := j.foldOne(ctx, *device, *dayFlag); err != nil {
			log.Error("fold device", "device", *device, "err", err)
			os.Exit(1)
		}
		return
	}

	host, _ := os.Hostname()
	ok, err := j.acquire(ctx, host)
	if err != nil {
		log.Error("lock", "err", err)
		os.Exit(1)
	}
	if !ok {
		log.Info("another rollup is running")
		return
	}
	defer j.release(ctx)

	rows, err := db.QueryContext(ctx, `SELECT id FROM devices WHERE decommissioned_at IS NULL`)
	if err != nil {
		log.Error("list devices", "err", err)
		return
	}
	var devices []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err == nil {
			devices = append(devices, id)
		}
	}
	rows.Close()

	if err := j.foldAll(ctx, devices, *dayFlag); err != nil {
		log.Error("fold", "err", err)
		return
	}
	j.dropDaily(ctx, devices, *dayFlag)
	if err := j.publishSummary(ctx); err != nil {
		log.Error("summary", "err", err)
	}
}
