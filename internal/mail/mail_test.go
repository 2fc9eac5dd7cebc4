package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/mail"
	"github.com/arcadehq/arcade/internal/mail/smtptest"
)

func TestSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	s, err := mail.ParseURL(srv.URL() + "?from=Arcade%20%3Cops@arcade.test%3E")
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{To: "agent@example.com", Subject: "Verify", Body: "line one\n.dot line\n"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "ops@arcade.test" || got[0].To[0] != "agent@example.com" ||
		!strings.Contains(got[0].Data, "Subject: Verify\r\n") || !strings.Contains(got[0].Data, "\r\n.dot line\r\n") {
		t.Fatalf("%+v", got)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@b.c", Subject: "x\r\nBcc: evil@x"}); err == nil {
		t.Fatal("header injection sent")
	}
	srv.Refuse.Store(true)
	if err := s.Send(context.Background(), m); err == nil {
		t.Fatal("a refused message reported sent")
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h?from=nope"} {
		if _, err := mail.ParseURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	o := &mail.Outbox{Dir: filepath.Join(dir, "outbox")}
	if err := o.Send(context.Background(), mail.Message{To: "a@example.com", Subject: "Hi", Body: "code 123"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	raw, _ := os.ReadFile(files[0])
	if !strings.Contains(string(raw), "To: a@example.com\r\n") || !strings.Contains(string(raw), "code 123") {
		t.Fatalf("%s", raw)
	}
}
