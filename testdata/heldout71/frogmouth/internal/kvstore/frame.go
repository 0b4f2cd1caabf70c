package kvstore

import (
	"encoding/binary"
	"errors"
	"time"
)

// Frames are the binary envelope used for values that carry bytes rather than
// JSON: compiled modules, cached outputs and counters written by guests.
//
//	magic   uint16  0x464D ("FM")
//	version uint8
//	kind    uint8
//	written int64   unix seconds
//	length  uint32
//	payload [length]byte
const (
	frameMagic   = 0x464D
	frameVersion = 1
	headerSize   = 2 + 1 + 1 + 8 + 4
)

// Kind tags what a frame carries.
type Kind uint8

const (
	KindModule Kind = iota + 1
	KindOutput
	KindCounter
	KindScript
)

// Frame is a decoded value envelope.
type Frame struct {
	Kind    Kind
	Written time.Time
	Payload []byte
}

var errShortFrame = errors.New("kvstore: short frame")

// Encode wraps payload in a frame.
func Encode(kind Kind, payload []byte) []byte {
	buf := make([]byte, headerSize, headerSize+len(payload))
	binary.BigEndian.PutUint16(buf[0:], frameMagic)
	buf[2] = frameVersion
	buf[3] = byte(kind)
	binary.BigEndian.PutUint64(buf[4:], uint64(time.Now().Unix()))
	binary.BigEndian.PutUint32(buf[12:], uint32(len(payload)))
	return append(buf, payload...)
}

// Decode parses a frame produced by Encode.
func Decode(b []byte) (Frame, error) {
	if len(b) < headerSize {
		return Frame{}, errShortFrame
	}
	if binary.BigEndian.Uint16(b[0:]) != frameMagic || b[2] != frameVersion {
		return Frame{}, errors.New("kvstore: not a frame")
	}
	n := binary.BigEndian.Uint32(b[12:])
	if int(n) > len(b)-headerSize {
		return Frame{}, errShortFrame
	}
	return Frame{
		Kind:    Kind(b[3]),
		Written: time.Unix(int64(binary.BigEndian.Uint64(b[4:])), 0),
		Payload: b[headerSize : headerSize+int(n)],
	}, nil
}

// EncodeUint64 frames a counter value.
func EncodeUint64(v uint64) []byte {
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], v)
	return Encode(KindCounter, p[:])
}

// DecodeUint64 reads a counter frame. A nil slice decodes as zero.
func DecodeUint64(b []byte) (uint64, error) {
	if b == nil {
		return 0, nil
	}
	f, err := Decode(b)
	if err != nil {
		return 0, err
	}
	if len(f.Payload) != 8 {
		return 0, errShortFrame
	}
	return binary.BigEndian.Uint64(f.Payload), nil
}
