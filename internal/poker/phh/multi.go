package phh

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// A multi-hand file (.phhs, phh-std) holds hands as TOML tables headed by their 1-based index in
// the file: "[1]", "[2]", ... each with the keys of one .phh file.

var handHeader = regexp.MustCompile(`^\[\s*([0-9]+)\s*\]\s*$`)

// WriteAll writes hands as a .phhs file.
func WriteAll(w io.Writer, hands []*Hand) error {
	var b bytes.Buffer
	for i, h := range hands {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%d]\n", i+1)
		if err := Write(&b, h); err != nil {
			return fmt.Errorf("phh: hand %d: %w", i+1, err)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ParseAll reads a .phhs file: the hands under their "[N]" headers, in file order. A file
// without a header is one hand. Action lines keep their lines in the whole file.
func ParseAll(r io.Reader) ([]*Hand, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64*maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("phh: read: %w", err)
	}
	type chunk struct {
		line int // of the first line of the body
		body bytes.Buffer
	}
	var chunks []*chunk
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), maxInput)
	line := 0
	for sc.Scan() {
		line++
		if m := handHeader.FindSubmatch(sc.Bytes()); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			if n != len(chunks)+1 {
				return nil, fmt.Errorf("%w: line %d: hand [%d] where [%d] was due", ErrSyntax, line, n, len(chunks)+1)
			}
			chunks = append(chunks, &chunk{line: line + 1})
			continue
		}
		if chunks == nil {
			chunks = append(chunks, &chunk{line: 1})
		}
		c := chunks[len(chunks)-1]
		c.body.Write(sc.Bytes())
		c.body.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	hands := make([]*Hand, 0, len(chunks))
	for i, c := range chunks {
		h, err := Parse(&c.body)
		if err != nil {
			return nil, fmt.Errorf("hand %d (line %d): %w", i+1, c.line, err)
		}
		for k, l := range h.ActionLines {
			if l > 0 {
				h.ActionLines[k] = l + c.line - 1
			}
		}
		hands = append(hands, h)
	}
	return hands, nil
}
