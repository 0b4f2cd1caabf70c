// Package legacy is the ingest service that predates fleetd. It still
// archives readings from the legacy.telemetry topic into its own namespace
// with the v2 Cloudflare SDK.
package legacy

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/segmentio/kafka-go"
)

const cursorKey = "legacy:ingest:cursor"

// lotSize is the number of serial slots in one manufacturing lot.
const lotSize = 20000

// Service archives legacy readings.
type Service struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
	retention   time.Duration
	log         *slog.Logger
}

func New(token, accountID, namespaceID string, retention time.Duration, log *slog.Logger) *Service {
	return &Service{
		api:         cloudflare.NewClient(option.WithAPIToken(token)),
		accountID:   accountID,
		namespaceID: namespaceID,
		retention:   retention,
		log:         log,
	}
}

// Run consumes the legacy topic in batches until ctx ends.
func (s *Service) Run(ctx context.Context, brokers []string) error {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "legacy-ingest", Topic: "legacy.telemetry"})
	defer r.Close()
	for ctx.Err() == nil {
		var batch []kafka.Message
		fetchCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
		for len(batch) < 500 {
			m, err := r.FetchMessage(fetchCtx)
			if err != nil {
				break
			}
			batch = append(batch, m)
		}
		cancel()
		if len(batch) == 0 {
			continue
		}
		if err := s.writeBatch(ctx, batch); err != nil {
			s.log.ErrorContext(ctx, "legacy batch failed", "err", err)
			continue
		}
		if err := r.CommitMessages(ctx, batch...); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) writeBatch(ctx context.Context, msgs []kafka.Message) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(msgs))
	for _, m := range msgs {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("legacy:reading:" + string(m.Key) + ":" + strconv.FormatInt(m.Offset, 10)),
			Value:         cloudflare.F(string(m.Value)),
			ExpirationTTL: cloudflare.F(float64(s.retention)), // EXPECT kvttl
		})
		_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, cursorKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(s.accountID),
			Value:     cloudflare.F(strconv.FormatInt(m.Offset, 10)),
			Metadata:  cloudflare.F(`{"partition":` + strconv.Itoa(m.Partition) + `}`),
		})
		if err != nil {
			return err
		}
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	return err
}

// Preprovision reserves the serial slots of a manufacturing lot.
func (s *Service) Preprovision(ctx context.Context, lot string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, lotSize)
	for i := range lotSize {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("lot:%s:%05d", lot, i)),
			Value: cloudflare.F("unclaimed"),
		})
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.accountID), Body: body}) // EXPECT kvlimits
	return err
}

// ExportKeys writes the name of every key under prefix to w.
func (s *Service) ExportKeys(ctx context.Context, prefix string, w io.Writer) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if _, err := fmt.Fprintln(w, k.Name); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}
