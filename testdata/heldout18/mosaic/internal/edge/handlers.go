//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/albums"
	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/moderation"
	"example.com/mosaic/internal/sharing"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/thumbs"
	"example.com/mosaic/internal/uploads"
	"example.com/mosaic/internal/views"
)

const uploadsPerHour = 30

func (s *Server) listAlbums(r *http.Request) (int, any, error) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := s.Albums.ListForOwner(r.Context(), userID(r), r.URL.Query().Get("cursor"), limit)
	return http.StatusOK, page, err
}

func (s *Server) createAlbum(r *http.Request) (int, any, error) {
	var in albums.CreateInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.OwnerID = userID(r)
	n, err := s.Albums.CountForOwner(r.Context(), in.OwnerID)
	if err != nil {
		return 0, nil, err
	}
	if n >= 200 {
		return 0, nil, domain.ErrOverQuota
	}
	a, err := s.Albums.Create(r.Context(), in)
	return http.StatusCreated, a, err
}

func (s *Server) updateAlbum(r *http.Request) (int, any, error) {
	ifMatch, err := strconv.Atoi(strings.Trim(r.Header.Get("If-Match"), `"`))
	if err != nil {
		return 0, nil, domain.ErrBadRequest
	}
	var patch albums.Patch
	if err := decode(r, &patch); err != nil {
		return 0, nil, err
	}
	a, err := s.Albums.Update(r.Context(), albums.AlbumID(tail(r)), ifMatch, patch)
	return http.StatusOK, a, err
}

func (s *Server) deleteAlbum(r *http.Request) (int, any, error) {
	return http.StatusNoContent, nil, s.Albums.SoftDelete(r.Context(), userID(r), albums.AlbumID(tail(r)))
}

func (s *Server) exportAlbums(r *http.Request) (int, any, error) {
	ids, err := s.Albums.AllIDs(r.Context(), userID(r))
	return http.StatusOK, map[string]any{"albums": ids}, err
}

func (s *Server) createShare(r *http.Request) (int, any, error) {
	var in struct {
		AlbumID  string `json:"album_id"`
		PhotoID  string `json:"photo_id"`
		MaxViews int    `json:"max_views"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.PhotoID != "" {
		link, err := s.Sharing.CreatePreview(r.Context(), userID(r), in.AlbumID, in.PhotoID)
		return http.StatusCreated, link, err
	}
	link, err := s.Sharing.Create(r.Context(), userID(r), in.AlbumID, in.MaxViews)
	return http.StatusCreated, link, err
}

func (s *Server) revokeShare(r *http.Request) (int, any, error) {
	return http.StatusNoContent, nil, s.Sharing.Revoke(r.Context(), userID(r), sharing.Token(tail(r)))
}

func (s *Server) openShare(r *http.Request) (int, any, error) {
	link, err := s.Sharing.Resolve(r.Context(), sharing.Token(tail(r)))
	if err != nil {
		return 0, nil, err
	}
	switch {
	case link.PhotoID == "":
	case s.Views != nil:
		s.Views.Record(views.Event{PhotoID: link.PhotoID, AlbumID: link.AlbumID})
	default:
		_, _ = s.Legacy.Incr(link.PhotoID)
	}
	photos, err := s.Albums.Photos(r.Context(), albums.AlbumID(link.AlbumID))
	return http.StatusOK, map[string]any{"album_id": link.AlbumID, "photos": photos, "expires_at": link.ExpiresAt}, err
}

// allowUpload applies the hourly per-IP upload limit.
func (s *Server) allowUpload(ip string) error {
	key := "ratelimit:upload:" + ip
	v, err := s.NS.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != kvNull {
		n, _ = strconv.Atoi(v)
	}
	if n >= uploadsPerHour {
		return errRateLimited
	}
	return s.NS.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter
}

func (s *Server) beginUpload(r *http.Request) (int, any, error) {
	if err := s.allowUpload(r.Header.Get("Cf-Connecting-Ip")); err != nil {
		return 0, nil, err
	}
	var in uploads.BeginInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	in.OwnerID = userID(r)
	sess, err := s.Uploads.Begin(r.Context(), in)
	return http.StatusCreated, sess, err
}

func (s *Server) recordPart(r *http.Request) (int, any, error) {
	var part domain.UploadPart
	if err := decode(r, &part); err != nil {
		return 0, nil, err
	}
	sess, err := s.Uploads.RecordPart(r.Context(), userID(r), uploads.SessionID(tail(r)), part)
	return http.StatusOK, map[string]int64{"received": sess.Received()}, err
}

func (s *Server) completeUpload(r *http.Request) (int, any, error) {
	var in uploads.CompleteInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	uid := userID(r)
	decision, err := s.Lists.Check(s.Snapshot, in.SHA256)
	if err != nil {
		return 0, nil, err
	}
	if decision == moderation.Denied {
		if suspend, err := s.Strikes.Add(r.Context(), moderation.UserID(uid)); err == nil && suspend {
			s.Log.WarnContext(r.Context(), "account reached strike limit", "uid", uid)
		}
		return 0, nil, domain.ErrForbidden
	}
	photo, err := s.Uploads.Complete(r.Context(), uid, uploads.SessionID(tail(r)), in)
	if err != nil {
		return 0, nil, err
	}
	if err := s.Store.Put(r.Context(), "gallery:latest-upload", []byte(photo.ID), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
		s.Log.WarnContext(r.Context(), "latest upload not recorded", "err", err)
	}
	return http.StatusCreated, photo, nil
}

func (s *Server) thumb(w http.ResponseWriter, r *http.Request) {
	photoID, sizeStr, _ := strings.Cut(tail(r), "/")
	size, err := strconv.Atoi(sizeStr)
	if err != nil || !thumbs.Size(size).Valid() {
		writeError(w, domain.ErrBadRequest)
		return
	}
	if img, err := s.Thumbs.Get(r.Context(), photoID, thumbs.Size(size)); err != nil {
		writeError(w, err)
	} else {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(img)
	}
}

// embedConfig customises the embeddable album widget.
type embedConfig struct {
	Theme     string `json:"theme"`
	Columns   int    `json:"columns"`
	ShowTitle bool   `json:"show_title"`
}

func (s *Server) embed(r *http.Request) (int, any, error) {
	albumID := tail(r)
	rd, err := s.NS.GetReader("embed:"+albumID, nil) // EXPECT kvnull
	if err != nil {
		return 0, nil, err
	}
	raw, err := io.ReadAll(rd)
	if err != nil {
		return 0, nil, err
	}
	var cfg embedConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return 0, nil, err
	}
	photos, err := s.Albums.Photos(r.Context(), albums.AlbumID(albumID))
	return http.StatusOK, map[string]any{"config": cfg, "photos": photos}, err
}

// downloadGrant is the value behind a one-time download code.
type downloadGrant struct {
	PhotoID string    `json:"photo_id"`
	UserID  string    `json:"uid"`
	Issued  time.Time `json:"issued"`
}

func (s *Server) issueDownload(r *http.Request) (int, any, error) {
	photo, err := s.Uploads.Photo(r.Context(), uploads.PhotoID(tail(r)))
	if err != nil {
		return 0, nil, err
	}
	if photo.OwnerID != userID(r) {
		return 0, nil, domain.ErrForbidden
	}
	code := domain.NewToken()
	raw, _ := json.Marshal(downloadGrant{PhotoID: photo.ID, UserID: photo.OwnerID, Issued: time.Now().UTC()})
	ttlSeconds := int(s.Config.DownloadCodeTTLMillis / 1000)
	err = s.NS.PutString("dl:"+code, string(raw), &kv.PutOptions{ExpirationTTL: ttlSeconds})
	return http.StatusCreated, map[string]string{"code": code}, err
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	key := "dl:" + tail(r)
	raw, err := s.NS.GetString(key, nil)
	if err != nil || raw == kvNull {
		writeError(w, domain.ErrExpired)
		return
	}
	var g downloadGrant
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		writeError(w, err)
		return
	}
	if err := s.NS.Delete(key); err != nil { // EXPECT kvsession
		writeError(w, err)
		return
	}
	photo, err := s.Uploads.Photo(r.Context(), uploads.PhotoID(g.PhotoID))
	if err != nil {
		writeError(w, err)
		return
	}
	http.Redirect(w, r, "https://originals.mosaic.example.com/"+photo.ObjectKey, http.StatusFound)
}
