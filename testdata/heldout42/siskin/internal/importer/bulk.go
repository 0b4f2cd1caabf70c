package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// bulkBatch is the most pairs the bulk endpoint accepts per request.
const bulkBatch = 10_000

// transcriptBatch groups transcript pairs for the backfill.
const transcriptBatch = 25_000

// flushEpisodes sends the collected bodies in batches.
func (r *Runner) flushEpisodes(ctx context.Context, bodies []kv.NamespaceBulkUpdateParamsBody) error {
	api := r.KV.API()
	for lo := 0; lo < len(bodies); lo += bulkBatch {
		hi := min(lo+bulkBatch, len(bodies))
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		res, err := api.KV.Namespaces.BulkUpdate(cctx, r.KV.Namespace(), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(r.KV.AccountID()),
			Body:      bodies[lo:hi],
		})
		cancel()
		if err != nil {
			return fmt.Errorf("importer: bulk write %d..%d: %w", lo, hi, err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			slog.Warn("bulk write left keys behind", "count", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// Transcript is a subtitle file for one episode.
type Transcript struct {
	ShowID    string
	EpisodeID string
	VTT       string
	// AvailableUntil is set for episodes the old host licensed for a limited time.
	AvailableUntil time.Time
}

// BackfillTranscripts writes transcripts for all shows of a migrated account.
func (r *Runner) BackfillTranscripts(ctx context.Context, ts []Transcript) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(ts))
	for _, t := range ts {
		body := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("transcript:%s:%s", t.ShowID, t.EpisodeID)),
			Value: cloudflare.F(t.VTT),
		}
		if !t.AvailableUntil.IsZero() {
			body.Expiration = cloudflare.F(float64(t.AvailableUntil.UnixMilli())) // EXPECT kvttl
		}
		pairs = append(pairs, body)
	}
	api := r.KV.API()
	for lo := 0; lo < len(pairs); lo += transcriptBatch {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		_, err := api.KV.Namespaces.BulkUpdate(cctx, r.KV.Namespace(), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(r.KV.AccountID()),
			Body:      pairs[lo:min(lo+transcriptBatch, len(pairs))], // EXPECT kvlimits
		})
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// licenseText is attached to artwork imported from hosts that publish under
// Creative Commons, so the listing page can show it without a second read.
const licenseText = `This work is licensed under the Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International License. ` +
	`You are free to share, copy and redistribute the material in any medium or format, and to adapt, remix, transform, and build upon the material. ` +
	`The licensor cannot revoke these freedoms as long as you follow the license terms. ` +
	`Attribution: you must give appropriate credit, provide a link to the license, and indicate if changes were made. ` +
	`You may do so in any reasonable manner, but not in any way that suggests the licensor endorses you or your use. ` +
	`NonCommercial: you may not use the material for commercial purposes. ` +
	`ShareAlike: if you remix, transform, or build upon the material, you must distribute your contributions under the same license as the original. ` +
	`No additional restrictions: you may not apply legal terms or technological measures that legally restrict others from doing anything the license permits. ` +
	`You do not have to comply with the license for elements of the material in the public domain or where your use is permitted by an applicable exception or limitation. ` +
	`No warranties are given. The license may not give you all of the permissions necessary for your intended use. ` +
	`For example, other rights such as publicity, privacy, or moral rights may limit how you use the material.`

// Artwork is a cover image fetched from the old host.
type Artwork struct {
	ShowID    string
	Size      int // 1400, 3000
	Data      []byte
	CCLicense bool
}

// importArtwork queues one write per artwork and sends them after all
// downloads succeeded, so a failed download leaves nothing half written.
func (r *Runner) importArtwork(ctx context.Context, arts []Artwork) error {
	pending := make(map[string]kv.NamespaceValueUpdateParams, len(arts))
	for _, a := range arts {
		p := r.KV.UpdateParams(a.Data)
		if a.CCLicense {
			p.Metadata = cloudflare.F[any](map[string]any{"license": licenseText, "size": a.Size}) // EXPECT kvlimits
		} else {
			p.Metadata = cloudflare.F[any](map[string]any{"size": a.Size})
		}
		pending[fmt.Sprintf("art:%s:%d", a.ShowID, a.Size)] = p
	}
	for key, p := range pending {
		if err := r.KV.Update(ctx, key, p); err != nil {
			return err
		}
	}
	return nil
}

// chunkSize keeps each stored part well under the 25 MiB value limit.
const chunkSize = 8 << 20

// chunkManifest describes a value split across several keys.
type chunkManifest struct {
	Parts int    `json:"parts"`
	Size  int    `json:"size"`
	Type  string `json:"type"`
}

// storeChunked writes a large blob (an original-quality audio master, a
// long transcript) as numbered parts followed by a manifest.
func (r *Runner) storeChunked(ctx context.Context, key, contentType string, src io.Reader) error {
	var (
		buf   = make([]byte, chunkSize)
		parts int
		size  int
	)
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			if perr := r.KV.Put(ctx, fmt.Sprintf("%s:part:%d", key, parts), bytes.Clone(buf[:n]), 0); perr != nil {
				return perr
			}
			parts++
			size += n
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	m, _ := json.Marshal(chunkManifest{Parts: parts, Size: size, Type: contentType})
	return r.KV.Put(ctx, key+":manifest", m, 0)
}

// ImportMedia stores the artwork and original audio masters of a show.
func (r *Runner) ImportMedia(ctx context.Context, arts []Artwork, masters map[string]io.Reader) error {
	if err := r.importArtwork(ctx, arts); err != nil {
		return err
	}
	for epKey, src := range masters {
		if err := r.storeChunked(ctx, "master:"+epKey, "audio/wav", src); err != nil {
			return fmt.Errorf("importer: master %s: %w", epKey, err)
		}
	}
	return nil
}
