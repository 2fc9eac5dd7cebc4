package phh

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// A multi-hand file (.phhs, phh-std) holds hands as TOML tables headed by their 1-based index in
// the file: "[1]", "[2]", ... each with the keys of one .phh file.

// maxFile bounds what ParseAll reads: a table's page of hands is at most a few hundred kilobytes.
const maxFile = 64 * maxInput

// header reads a "[N]" line (spaces allowed inside and after the brackets).
func header(line []byte) (int, bool) {
	l := bytes.TrimSpace(line)
	if len(l) < 3 || l[0] != '[' || l[len(l)-1] != ']' {
		return 0, false
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(l[1 : len(l)-1])))
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

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
	data, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("phh: read: %w", err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrSyntax, maxFile)
	}
	type chunk struct {
		line int // of the first line of the body
		body bytes.Buffer
	}
	var chunks []*chunk
	for k, text := range bytes.Split(data, []byte("\n")) {
		line := k + 1
		if n, ok := header(text); ok {
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
		c.body.Write(text)
		c.body.WriteByte('\n')
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
