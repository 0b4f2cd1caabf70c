// Package davfs serves artifact uploads over WebDAV. Files, directory indexes
// and locks live in KV; file bodies are buffered in memory and written when
// the client closes the file.
package davfs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"golang.org/x/net/webdav"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// FS implements webdav.FileSystem over KV.
type FS struct {
	KV *kvstore.Store
	// MaxRemovePages bounds RemoveAll listings.
	MaxRemovePages int
}

var _ webdav.FileSystem = (*FS)(nil)

func clean(name string) string { return path.Clean("/" + name) }

func fileKey(name string) string { return "dav:f:" + clean(name) }
func dirKey(name string) string  { return "dav:d:" + clean(name) }

type entryMeta struct {
	Size  int64 `json:"s"`
	MTime int64 `json:"m"`
	Dir   bool  `json:"d,omitempty"`
}

// Mkdir creates a directory entry.
func (f *FS) Mkdir(ctx context.Context, name string, perm os.FileMode) error {
	name = clean(name)
	if _, err := f.KV.Meta(ctx, fileKey(name)); err == nil {
		return os.ErrExist
	}
	meta := entryMeta{MTime: time.Now().Unix(), Dir: true}
	if err := f.KV.PutMeta(ctx, fileKey(name), nil, meta, 0); err != nil { // EXPECT kvrace
		return err
	}
	return f.link(ctx, name)
}

// link adds name to its parent's directory index.
func (f *FS) link(ctx context.Context, name string) error {
	parent, base := path.Split(name)
	return f.KV.Update(ctx, dirKey(parent), 0, func(old []byte) ([]byte, error) {
		var children []string
		if len(old) > 0 {
			if err := json.Unmarshal(old, &children); err != nil {
				return nil, err
			}
		}
		if slices.Contains(children, base) {
			return old, nil
		}
		return json.Marshal(append(children, base))
	})
}

func (f *FS) unlink(ctx context.Context, name string) error {
	parent, base := path.Split(name)
	return f.KV.Update(ctx, dirKey(parent), 0, func(old []byte) ([]byte, error) {
		var children []string
		_ = json.Unmarshal(old, &children)
		return json.Marshal(slices.DeleteFunc(children, func(c string) bool { return c == base }))
	})
}

// OpenFile opens name. Content is loaded on the first Read.
func (f *FS) OpenFile(ctx context.Context, name string, flag int, perm os.FileMode) (webdav.File, error) {
	name = clean(name)
	info, err := f.stat(ctx, name)
	switch {
	case err == nil && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, os.ErrExist
	case errors.Is(err, os.ErrNotExist) && flag&os.O_CREATE != 0:
		info = &fileInfo{name: path.Base(name), mtime: time.Now()}
	case err != nil:
		return nil, err
	}
	fl := &file{fs: f, ctx: ctx, name: name, info: info}
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		fl.writable = true
		if flag&os.O_TRUNC != 0 || info.size == 0 {
			fl.loaded = true
			fl.dirty = flag&os.O_CREATE != 0
		}
	}
	return fl, nil
}

// RemoveAll deletes name and everything below it.
func (f *FS) RemoveAll(ctx context.Context, name string) error {
	name = clean(name)
	if name == "/" {
		return os.ErrPermission
	}
	doomed := []string{fileKey(name), dirKey(name)}
	prefix := fileKey(name) + "/"
	cursor := ""
	for page := 0; page < f.MaxRemovePages; page++ {
		keys, next, err := f.KV.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			sub := strings.TrimPrefix(k.Name, "dav:f:")
			doomed = append(doomed, k.Name, dirKey(sub))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for start := 0; start < len(doomed); start += kvstore.MaxBulk {
		if err := f.KV.BulkDelete(ctx, doomed[start:min(start+kvstore.MaxBulk, len(doomed))]); err != nil {
			return err
		}
	}
	return f.unlink(ctx, name)
}

// Rename moves a single file.
func (f *FS) Rename(ctx context.Context, oldName, newName string) error {
	oldName, newName = clean(oldName), clean(newName)
	info, err := f.stat(ctx, oldName)
	if err != nil {
		return err
	}
	if info.dir {
		return os.ErrPermission
	}
	body, err := f.KV.Get(ctx, fileKey(oldName))
	if err != nil {
		return err
	}
	meta := entryMeta{Size: int64(len(body)), MTime: time.Now().Unix()}
	if err := f.KV.PutMeta(ctx, fileKey(newName), body, meta, 0); err != nil {
		return err
	}
	if err := f.link(ctx, newName); err != nil {
		return err
	}
	if err := f.KV.Delete(ctx, fileKey(oldName)); err != nil {
		return err
	}
	return f.unlink(ctx, oldName)
}

// Stat returns the entry of name.
func (f *FS) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	return f.stat(ctx, clean(name))
}

func (f *FS) stat(ctx context.Context, name string) (*fileInfo, error) {
	if name == "/" {
		return &fileInfo{name: "/", dir: true}, nil
	}
	raw, err := f.KV.Meta(ctx, fileKey(name))
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, os.ErrNotExist
		}
		return nil, err
	}
	b, _ := json.Marshal(raw)
	var m entryMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &fileInfo{name: path.Base(name), size: m.Size, mtime: time.Unix(m.MTime, 0), dir: m.Dir}, nil
}

type fileInfo struct {
	name  string
	size  int64
	mtime time.Time
	dir   bool
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) ModTime() time.Time { return i.mtime }
func (i *fileInfo) IsDir() bool        { return i.dir }
func (i *fileInfo) Sys() any           { return nil }
func (i *fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// file buffers a KV value. Reads load the value lazily; writes go to the
// buffer and are stored by Close.
type file struct {
	fs       *FS
	ctx      context.Context
	name     string
	info     *fileInfo
	buf      bytes.Buffer
	rd       *bytes.Reader
	loaded   bool
	writable bool
	dirty    bool
}

func (fl *file) load() error {
	if fl.loaded {
		return nil
	}
	raw, err := fl.fs.KV.Get(fl.ctx, fileKey(fl.name))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	fl.buf.Write(raw)
	fl.loaded = true
	return nil
}

func (fl *file) Read(p []byte) (int, error) {
	if fl.info.dir {
		return 0, os.ErrInvalid
	}
	if fl.rd == nil {
		if err := fl.load(); err != nil {
			return 0, err
		}
		fl.rd = bytes.NewReader(fl.buf.Bytes())
	}
	return fl.rd.Read(p)
}

func (fl *file) Seek(offset int64, whence int) (int64, error) {
	if fl.rd == nil {
		if err := fl.load(); err != nil {
			return 0, err
		}
		fl.rd = bytes.NewReader(fl.buf.Bytes())
	}
	return fl.rd.Seek(offset, whence)
}

func (fl *file) Write(p []byte) (int, error) {
	if !fl.writable {
		return 0, os.ErrPermission
	}
	if err := fl.load(); err != nil {
		return 0, err
	}
	fl.dirty = true
	return fl.buf.Write(p)
}

func (fl *file) Readdir(count int) ([]fs.FileInfo, error) {
	if !fl.info.dir {
		return nil, os.ErrInvalid
	}
	var children []string
	err := fl.fs.KV.GetJSON(fl.ctx, dirKey(fl.name+"/"), &children)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(children))
	for _, c := range children {
		out = append(out, &fileInfo{name: c})
	}
	if count > 0 && len(out) > count {
		out = out[:count]
	}
	if count > 0 && len(out) == 0 {
		return nil, io.EOF
	}
	return out, nil
}

func (fl *file) Stat() (fs.FileInfo, error) { return fl.info, nil }

// Close stores the buffered content if it changed.
func (fl *file) Close() error {
	if !fl.dirty {
		return nil
	}
	meta := entryMeta{Size: int64(fl.buf.Len()), MTime: time.Now().Unix()}
	if err := fl.fs.KV.PutMeta(fl.ctx, fileKey(fl.name), fl.buf.Bytes(), meta, 0); err != nil {
		return err
	}
	fl.dirty = false
	return fl.fs.link(fl.ctx, fl.name)
}
