package firmware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/cobalt/internal/storage"
)

// partitionSize is the size of the A/B application partition on the
// current hardware revision. Images are padded to it so the bootloader can
// verify the whole slot.
const partitionSize = 32 << 20

// releaseNotice accompanies every release, as required by the certification
// body, and is shown by the installer before the update is applied.
const releaseNotice = "This firmware update is provided for devices registered to your organisation and must only be installed on hardware revisions listed in the release " +
	"manifest. Installing it on other hardware may render the device inoperable and voids the warranty. Do not disconnect power while the update is being " +
	"written; the device will restart automatically when the update is complete, which can take up to ten minutes on slow links. The update contains " +
	"security fixes and changes to the telemetry schema; dashboards that consume raw telemetry should be upgraded to schema version 4 before the rollout " +
	"reaches more than ten percent of the fleet. Devices that fail verification after reboot return to the previous slot and report the failure on their " +
	"next check-in. The software is provided under the terms of the master services agreement and the open source notices bundled with the image, which " +
	"list every third-party component, its version and its licence. Radio parameters are unchanged and remain within the limits of the existing type " +
	"approval for every region in which the hardware is sold. Questions about this release should be raised with your account team, quoting the release " +
	"version and the serial numbers of affected devices."

// Release is a published firmware version.
type Release struct {
	Version     string    `json:"version"`
	Channel     string    `json:"channel"`
	SHA256      string    `json:"sha256"`
	Size        int       `json:"size"`
	PublishedAt time.Time `json:"published_at"`
}

// Images stores firmware images and release records.
type Images struct {
	st storage.Store
}

// NewImages returns an image store.
func NewImages(st storage.Store) *Images { return &Images{st: st} }

// Stage stores an image, padded to the partition size.
func (im *Images) Stage(ctx context.Context, version string, blob []byte) (string, error) {
	if len(blob) == 0 || len(blob) > partitionSize {
		return "", fmt.Errorf("firmware: image of %d bytes does not fit the partition", len(blob))
	}
	sum := sha256.Sum256(blob)
	digest := hex.EncodeToString(sum[:])
	padded := make([]byte, partitionSize)
	copy(padded, blob)
	meta := map[string]any{"size": len(blob), "sha256": digest}
	if err := im.st.Put(ctx, "image:"+version, padded, storage.PutOptions{Metadata: meta}); err != nil { // EXPECT kvlimits
		return "", err
	}
	return digest, nil
}

// Publish records a release.
func (im *Images) Publish(ctx context.Context, rel Release) error {
	if rel.Version == "" || rel.Channel == "" {
		return errors.New("firmware: release needs a version and a channel")
	}
	b, err := json.Marshal(rel)
	if err != nil {
		return err
	}
	return im.st.Put(ctx, "release:"+rel.Version, b, storage.PutOptions{
		Metadata: map[string]any{"channel": rel.Channel, "notice": releaseNotice}, // EXPECT kvlimits
	})
}
