// Package media stores show artwork and trailer audio at the edge.
package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

// rightsNotice is attached to every stored artwork so that takedown
// reviewers see the terms next to the object.
const rightsNotice = "Artwork uploaded to Chiffchaff is provided by the creator of the show, who represents " +
	"that they own or have licensed all rights in the image, including any photographs, illustrations, " +
	"logos, typefaces and likenesses it contains. Chiffchaff stores and distributes the artwork solely to " +
	"display it in podcast directories, players and feeds on the creator's behalf, under the licence " +
	"granted in section 7 of the Creator Terms. Any other reproduction, modification, redistribution or " +
	"commercial use requires the written permission of the rights holder. If you believe this artwork " +
	"infringes your copyright or trademark, send a notice to legal@chiffchaff.fm that identifies the work, " +
	"the show, the URL where the artwork appears and your contact details, together with a statement made " +
	"in good faith and under penalty of perjury that you are the rights holder or authorised to act for " +
	"them. We remove artwork that is the subject of a valid notice within two business days and notify " +
	"the creator, who may file a counter-notice. Repeat infringers lose access to their hosting account."

// trailerChunk is the size of one stored piece of a trailer.
const trailerChunk = 32 << 20 // DEBATABLE kvlimits

// Store keeps artwork and trailers.
type Store struct {
	ns  *kvstore.Namespace
	now func() time.Time
}

// New returns a media store.
func New(ns *kvstore.Namespace, now func() time.Time) *Store { return &Store{ns: ns, now: now} }

// PutArtwork stores one rendition of a show's artwork.
func (s *Store) PutArtwork(ctx context.Context, showID, size, contentType string, img []byte) error {
	meta := kvstore.Meta{
		"content_type": contentType,
		"uploaded":     s.now().Unix(),
		"rights":       rightsNotice, // EXPECT kvlimits
	}
	return s.ns.PutWithMeta(ctx, "art:"+showID+":"+size, img, meta, 0)
}

// ArtworkSizes lists the stored renditions of a show's artwork, one page at
// a time.
func (s *Store) ArtworkSizes(ctx context.Context, showID, cursor string) ([]string, string, error) {
	keys, next, err := s.ns.List(ctx, "art:"+showID+":", cursor, 2000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out, next, nil
}

// Manifest describes a stored trailer.
type Manifest struct {
	ContentType string    `json:"content_type"`
	Chunks      int       `json:"chunks"`
	Bytes       int64     `json:"bytes"`
	Complete    bool      `json:"complete"`
	Updated     time.Time `json:"updated"`
}

func manifestKey(id string) string     { return "trailer:" + id + ":manifest" }
func chunkKey(id string, i int) string { return fmt.Sprintf("trailer:%s:%04d", id, i) }

// UploadTrailer stores a trailer read from r in chunks and keeps the
// manifest current so an interrupted upload can resume.
func (s *Store) UploadTrailer(ctx context.Context, id, contentType string, r io.Reader) (*Manifest, error) {
	man := &Manifest{ContentType: contentType}
	buf := make([]byte, trailerChunk)
	for i := 0; ; i++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if perr := s.ns.Put(ctx, chunkKey(id, i), buf[:n]); perr != nil {
				return nil, perr
			}
			man.Chunks = i + 1
			man.Bytes += int64(n)
			man.Updated = s.now()
			body, _ := json.Marshal(man)
			if perr := s.ns.Put(ctx, manifestKey(id), body); perr != nil { // EXPECT kvhotkey
				return nil, perr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	man.Complete = true
	body, _ := json.Marshal(man)
	return man, s.ns.Put(ctx, manifestKey(id), body)
}

// TrailerManifest returns the manifest of a trailer.
func (s *Store) TrailerManifest(ctx context.Context, id string) (*Manifest, error) {
	api, rc, nsID := s.ns.API()
	raw, _ := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: nsID, Key: manifestKey(id)}) // EXPECT kvnull
	var man Manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		return nil, fmt.Errorf("media: manifest %s: %w", id, err)
	}
	return &man, nil
}

// StreamTrailer writes the chunks of a complete trailer to w.
func (s *Store) StreamTrailer(ctx context.Context, id string, w io.Writer) error {
	var man Manifest
	raw, err := s.ns.Get(ctx, manifestKey(id))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &man); err != nil {
		return err
	}
	if !man.Complete {
		return errors.New("media: trailer upload incomplete")
	}
	for i := 0; i < man.Chunks; i++ {
		part, err := s.ns.Get(ctx, chunkKey(id, i))
		if err != nil {
			return err
		}
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}
