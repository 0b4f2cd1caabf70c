// Package metering aggregates usage reported by the edge and flushes it to
// the database and to the edge namespace for the portal dashboard.
package metering

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
	"github.com/pelicanhq/pelican/internal/models"
)

// Meter buffers usage between flushes.
type Meter struct {
	DB    *gorm.DB
	Store *kvstore.Store

	mu      sync.Mutex
	pending map[string]int64
	totals  map[string]int64
	day     string
}

// NewMeter returns an empty meter.
func NewMeter(db *gorm.DB, store *kvstore.Store) *Meter {
	return &Meter{DB: db, Store: store, pending: map[string]int64{}, totals: map[string]int64{}}
}

// Record adds n requests for a key hash.
func (m *Meter) Record(keyHash string, n int64) {
	m.mu.Lock()
	m.pending[keyHash] += n
	m.mu.Unlock()
}

// Flush writes buffered usage. The cron route calls it every five minutes.
func (m *Meter) Flush(ctx context.Context) error {
	day := time.Now().UTC().Format("20060102")
	m.mu.Lock()
	batch := m.pending
	m.pending = map[string]int64{}
	if m.day != day {
		m.totals = map[string]int64{}
		m.day = day
	}
	m.mu.Unlock()

	for keyHash, n := range batch {
		rec := models.UsageRecord{KeyHash: keyHash, Day: day, Requests: n}
		if err := m.DB.WithContext(ctx).Create(&rec).Error; err != nil {
			return err
		}
		m.mu.Lock()
		m.totals[keyHash] += n
		total := m.totals[keyHash]
		m.mu.Unlock()
		key := "usage:" + keyHash + ":" + day
		if err := m.Store.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 48*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := m.Store.Put(ctx, "usage:last_flush", stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Rollup writes the previous day's per-key totals, computed by the database,
// in one bulk request. The nightly cron calls it once.
func (m *Meter) Rollup(ctx context.Context, day string) error {
	type row struct {
		KeyHash string
		Total   int64
	}
	var rows []row
	err := m.DB.WithContext(ctx).Model(&models.UsageRecord{}).
		Select("key_hash, SUM(requests) AS total").
		Where("day = ?", day).Group("key_hash").Scan(&rows).Error
	if err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(rows))
	for _, r := range rows {
		entries = append(entries, kvstore.Entry{
			Key:   fmt.Sprintf("rollup:%s:%s", day, r.KeyHash),
			Value: strconv.FormatInt(r.Total, 10),
			TTL:   35 * 24 * time.Hour,
		})
	}
	if _, err := m.Store.BulkPut(ctx, entries); err != nil {
		return err
	}
	return m.Store.Put(ctx, "rollup:latest", []byte(day), 0)
}

// Report is the dashboard's usage summary for one key.
type Report struct {
	Today     int64 `json:"today"`
	Yesterday int64 `json:"yesterday"`
}

// ReportFor reads a key's usage as published by Flush and Rollup.
func (m *Meter) ReportFor(ctx context.Context, keyHash string) (Report, error) {
	now := time.Now().UTC()
	today := now.Format("20060102")
	yesterday := now.AddDate(0, 0, -1).Format("20060102")
	vals, err := m.Store.BulkGet(ctx, []string{
		"usage:" + keyHash + ":" + today,
		fmt.Sprintf("rollup:%s:%s", yesterday, keyHash),
	})
	if err != nil {
		return Report{}, err
	}
	var rep Report
	if v, ok := vals["usage:"+keyHash+":"+today]; ok {
		rep.Today, _ = strconv.ParseInt(v, 10, 64)
	}
	if v, ok := vals[fmt.Sprintf("rollup:%s:%s", yesterday, keyHash)]; ok {
		rep.Yesterday, _ = strconv.ParseInt(v, 10, 64)
	}
	return rep, nil
}
