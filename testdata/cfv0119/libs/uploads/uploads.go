// Package uploads stands for a resumable-upload server's library: the
// functions a program sets in its Config are called on each upload.
package uploads

// HookEvent is what the server knows of an upload when it calls a hook.
type HookEvent struct {
	ID       string
	Size     int64
	MetaData map[string]string
}

// Config holds the server's settings and the program's hooks.
type Config struct {
	BasePath                string
	PreUploadCreateCallback func(hook HookEvent) error
	OnFinished              func(hook HookEvent)
	// Cleanup runs once, when the server shuts down.
	Cleanup func(reason string) error
}

// Handler serves uploads.
type Handler struct{ config Config }

// NewHandler returns a handler that calls config's hooks.
func NewHandler(config Config) *Handler { return &Handler{config: config} }
