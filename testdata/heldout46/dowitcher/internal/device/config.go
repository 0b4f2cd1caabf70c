package device

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"dowitcher/internal/kvstore"
)

// DefaultSettings are applied to a device that enrolls without a config.
var DefaultSettings = map[string]string{
	"report_interval": "300s",
	"log_level":       "info",
	"ota_window":      "02:00-05:00",
}

// PatchConfig applies changes to the device's configuration document and
// bumps its revision. A value of "" removes the setting.
func (r *Registry) PatchConfig(ctx context.Context, fleet, serial, actor string, changes map[string]string) (rev int, err error) {
	key := kvstore.DeviceKey(fleet, serial, leafConfig)
	raw, found, err := r.kv.Lookup(ctx, key)
	if err != nil {
		return 0, err
	}
	doc := ConfigDoc{Fleet: fleet, Serial: serial, Settings: map[string]string{}}
	if found {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return 0, err
		}
	}
	for k, v := range changes {
		if v == "" {
			delete(doc.Settings, k)
			continue
		}
		doc.Settings[k] = v
	}
	doc.Revision++
	doc.UpdatedBy = actor
	doc.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(doc)
	if err != nil {
		return 0, err
	}
	if err := r.kv.Put(ctx, key, b); err != nil { // EXPECT kvrace
		return 0, err
	}
	return doc.Revision, nil
}

// EnsureDefaults gives a freshly enrolled device the default configuration.
func (r *Registry) EnsureDefaults(ctx context.Context, fleet, serial string) error {
	key := kvstore.DeviceKey(fleet, serial, leafConfig)
	if _, err := r.kv.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	doc := ConfigDoc{Fleet: fleet, Serial: serial, Revision: 1, Settings: DefaultSettings, UpdatedBy: "enroll"}
	return r.Save(ctx, &doc)
}

// ReplaceConfig overwrites the configuration document with one the console
// edited as a whole.
func (r *Registry) ReplaceConfig(ctx context.Context, doc *ConfigDoc) error {
	if doc.Fleet == "" || doc.Serial == "" {
		return errors.New("device: config without fleet or serial")
	}
	return r.Save(ctx, doc)
}

// TagDevices adds tags to each of serials. Tags are stored as one CSV row.
func (r *Registry) TagDevices(ctx context.Context, fleet string, serials []string, tags ...string) error {
	addTags := func(serial string, add []string) error {
		key := kvstore.DeviceKey(fleet, serial, leafLabels)
		raw, found, err := r.kv.Lookup(ctx, key)
		if err != nil {
			return err
		}
		var current []string
		if found && len(raw) > 0 {
			rec, err := csv.NewReader(bytes.NewReader(raw)).Read()
			if err != nil {
				return fmt.Errorf("labels %s: %w", serial, err)
			}
			current = rec
		}
		for _, t := range add {
			if !slices.Contains(current, t) {
				current = append(current, t)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write(current); err != nil {
			return err
		}
		w.Flush()
		return r.kv.Put(ctx, key, bytes.TrimRight(buf.Bytes(), "\n")) // EXPECT kvrace
	}

	var errs []error
	for _, s := range serials {
		if err := addTags(s, tags); err != nil {
			errs = append(errs, err)
		}
	}
	if len(serials) > 0 && slices.Contains(tags, "canary") {
		// Canary devices also get the fleet-wide canary tag.
		if err := addTags(serials[0], []string{"canary-lead"}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PinFleet pins every listed device of a fleet to one firmware version with
// a single bulk write.
func (r *Registry) PinFleet(ctx context.Context, fleet, channel, version string, serials []string) error {
	var b kvstore.Batch
	for _, s := range serials {
		b = b.Add(kvstore.DeviceKey(fleet, s, leafPin), []byte(channel+"@"+version), 0)
	}
	return b.Flush(ctx, r.kv)
}
