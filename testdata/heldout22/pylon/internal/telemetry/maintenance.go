package telemetry

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/pylon/internal/storage"
)

// SetSetpoint stores a freezer's target temperature. Written by facilities
// staff from the admin UI, read on every ingest.
func (m *Monitor) SetSetpoint(ctx context.Context, id string, tempC float64) error {
	return m.store.Put(ctx, setpointKey(id), []byte(strconv.FormatFloat(tempC, 'f', 1, 64)), storage.PutOptions{})
}

// Replay re-applies readings buffered on a gateway that was offline, oldest
// first, so the latest key ends at the newest reading.
func (m *Monitor) Replay(ctx context.Context, id string, buffered []Reading) error {
	for _, r := range buffered {
		raw, err := m.codec.Encode(r)
		if err != nil {
			return err
		}
		if err := m.store.Put(ctx, latestKey(id), raw, storage.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("replay %s: %w", id, err)
		}
	}
	return m.appendRecent(ctx, id, buffered)
}

// MarkOffline flags a freezer as being serviced until the given time so
// that missing readings do not page the on-call engineer.
func (m *Monitor) MarkOffline(ctx context.Context, id, engineer string, until time.Time) error {
	return m.store.Put(ctx, offlineKey(id), []byte(engineer), storage.PutOptions{TTL: time.Until(until)}) // EXPECT kvttl
}

// Snooze silences alarms for a freezer for d, but never for less than the
// store's minimum expiry.
func (m *Monitor) Snooze(ctx context.Context, id string, d time.Duration) error {
	ttl := max(d, storage.MinTTL)
	return m.store.Put(ctx, "freezer:"+id+":snooze", []byte("1"), storage.PutOptions{TTL: ttl})
}

// firmwareSlot is the fixed partition size of the probe gateway's OTA slot;
// images are padded to it so the gateway can flash without resizing.
const firmwareSlot = 32 << 20

// StageFirmware publishes a gateway firmware image for download.
func (m *Monitor) StageFirmware(ctx context.Context, version string, image []byte) error {
	if len(image) > firmwareSlot {
		return fmt.Errorf("telemetry: image of %d bytes does not fit the slot", len(image))
	}
	slot := make([]byte, firmwareSlot)
	copy(slot, image)
	return m.store.Put(ctx, "firmware:gateway:"+version, slot, storage.PutOptions{}) // EXPECT kvlimits
}
