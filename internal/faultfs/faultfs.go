// Package faultfs is a FUSE file system for tests that simulates a power cut: it passes every
// operation through to a directory on the real disk, but remembers, per file, how to undo each
// write and truncation that no fsync has covered yet. Cut undoes them all (newest first), so the
// directory is left as a disk would be after losing power: every file as of its last fsync (or
// fdatasync), nothing of what came after. From then on the mount refuses writes and syncs (EIO),
// as a machine without power would. This is what LazyFS does for Jepsen, reduced to what Arcade's
// tests need: file data only (creating, renaming and removing files take effect at once, and
// directory fsyncs are not modelled).
//
// The point is a durability test that can fail: a process killed with SIGKILL keeps its page
// cache, so losing an fsync goes unseen there; under a Cut it loses the data.
//
// Mount needs /dev/fuse and the right to mount (root, or fusermount3 installed).
package faultfs

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// FS is a mounted fault-injecting file system.
type FS struct {
	server     *fuse.Server
	backing    string
	mountpoint string

	mu    sync.Mutex
	cut   bool
	files map[uint64]*fileState // by the backing file's inode number
	syncs int64
	undos int64 // writes and truncations undone by Cut
}

// fileState is one backing file's undo log since its last fsync.
type fileState struct {
	fd  int // our own descriptor of the backing file, kept for Cut
	log []undo
}

// undo restores a range the write or truncation overwrote, then the size the file had.
type undo struct {
	off     int64
	old     []byte
	oldSize int64
}

// Mount serves backing at mountpoint (both existing directories).
func Mount(mountpoint, backing string) (*FS, error) {
	f := &FS{backing: backing, mountpoint: mountpoint, files: map[uint64]*fileState{}}
	root := &fs.LoopbackRoot{Path: backing}
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, err
	}
	root.Dev = uint64(st.Dev)
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: r}, fs: f}
	}
	rootNode := root.NewNode(root, nil, "", &st)
	root.RootNode = rootNode
	srv, err := fs.Mount(mountpoint, rootNode, &fs.Options{MountOptions: fuse.MountOptions{
		DirectMount: true, FsName: "faultfs", Name: "faultfs", DisableXAttrs: true,
	}})
	if err != nil {
		return nil, fmt.Errorf("faultfs: mount %s: %w", mountpoint, err)
	}
	f.server = srv
	return f, nil
}

// Cut loses power: every write and truncation not covered by an fsync is undone in the backing
// directory, and the mount fails every later write and sync.
func (f *FS) Cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cut = true
	for _, s := range f.files {
		for i := len(s.log) - 1; i >= 0; i-- {
			u := s.log[i]
			if len(u.old) > 0 {
				_, _ = syscall.Pwrite(s.fd, u.old, u.off)
			}
			_ = syscall.Ftruncate(s.fd, u.oldSize)
			f.undos++
		}
		s.log = nil
	}
}

// Stats reports the fsyncs served and the operations Cut undid.
func (f *FS) Stats() (syncs, undone int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs, f.undos
}

// Unmount detaches the file system and closes the descriptors kept for Cut. If the mount is
// still busy it is detached lazily (MNT_DETACH), so a test never leaves it behind.
func (f *FS) Unmount() error {
	err := f.server.Unmount()
	if err != nil {
		err = syscall.Unmount(f.mountpoint, syscall.MNT_DETACH)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.files {
		syscall.Close(s.fd)
	}
	f.files = map[uint64]*fileState{}
	return err
}

// state returns the undo log of the backing file at path (opening our descriptor on first use).
// f.mu must be held.
func (f *FS) state(path string) (*fileState, syscall.Errno) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return nil, fs.ToErrno(err)
	}
	if s := f.files[st.Ino]; s != nil {
		return s, 0
	}
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fs.ToErrno(err)
	}
	s := &fileState{fd: fd}
	f.files[st.Ino] = s
	return s, 0
}

// remember records how to undo a change of [off, off+n) and of the size (newSize < 0: size only
// grows, if at all, to cover the range). f.mu must be held.
func (s *fileState) remember(off, n int64) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Fstat(s.fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	u := undo{off: off, oldSize: st.Size}
	if end := min(off+n, st.Size); end > off {
		u.old = make([]byte, end-off)
		if _, err := syscall.Pread(s.fd, u.old, off); err != nil {
			return fs.ToErrno(err)
		}
	}
	s.log = append(s.log, u)
	return 0
}

type node struct {
	fs.LoopbackNode
	fs *FS
}

func (n *node) path() string {
	return filepath.Join(n.RootData.Path, n.Path(n.Root()))
}

func (n *node) wrap(fh fs.FileHandle) fs.FileHandle {
	lf, ok := fh.(*fs.LoopbackFile)
	if !ok {
		return fh
	}
	return &file{lf: lf, node: n}
}

var _ = (fs.NodeOpener)((*node)(nil))

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	fh, fl, errno := n.LoopbackNode.Open(ctx, flags)
	if errno != 0 {
		return nil, 0, errno
	}
	return n.wrap(fh), fl, 0
}

var _ = (fs.NodeCreater)((*node)(nil))

func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	in, fh, fl, errno := n.LoopbackNode.Create(ctx, name, flags, mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	child, ok := in.Operations().(*node)
	if !ok {
		return in, fh, fl, 0
	}
	return in, child.wrap(fh), fl, 0
}

var _ = (fs.NodeSetattrer)((*node)(nil))

// Setattr remembers a truncation before passing it through.
func (n *node) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if f, ok := fh.(*file); ok {
		fh = f.lf
	}
	if sz, ok := in.GetSize(); ok {
		n.fs.mu.Lock()
		if n.fs.cut {
			n.fs.mu.Unlock()
			return syscall.EIO
		}
		s, errno := n.fs.state(n.path())
		if errno == 0 {
			var st syscall.Stat_t
			if err := syscall.Fstat(s.fd, &st); err == nil && int64(sz) < st.Size {
				errno = s.remember(int64(sz), st.Size-int64(sz))
			} else if err == nil {
				s.log = append(s.log, undo{off: st.Size, oldSize: st.Size})
			}
		}
		if errno == 0 {
			errno = n.LoopbackNode.Setattr(ctx, fh, in, out)
		}
		n.fs.mu.Unlock()
		return errno
	}
	return n.LoopbackNode.Setattr(ctx, fh, in, out)
}

var _ = (fs.NodeFsyncer)((*node)(nil))

// Fsync without a handle (the kernel sends one for a file's inode): the file's changes so far
// are durable.
func (n *node) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	if f, ok := fh.(*file); ok {
		return f.Fsync(ctx, flags)
	}
	return n.fs.synced(n.path())
}

// synced forgets the undo log of the file at path: its changes so far survive a Cut.
func (f *FS) synced(path string) syscall.Errno {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cut {
		return syscall.EIO
	}
	f.syncs++
	s, errno := f.state(path)
	if errno != 0 {
		return errno
	}
	s.log = nil
	return 0
}

// file is an open file: reads pass through; writes are remembered for Cut first.
type file struct {
	lf   *fs.LoopbackFile
	node *node
}

var (
	_ = (fs.FileReader)((*file)(nil))
	_ = (fs.FileWriter)((*file)(nil))
	_ = (fs.FileFsyncer)((*file)(nil))
	_ = (fs.FileFlusher)((*file)(nil))
	_ = (fs.FileReleaser)((*file)(nil))
	_ = (fs.FileGetattrer)((*file)(nil))
	_ = (fs.FileLseeker)((*file)(nil))
	_ = (fs.FileAllocater)((*file)(nil))
)

func (f *file) Read(ctx context.Context, buf []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return f.lf.Read(ctx, buf, off)
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	x := f.node.fs
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cut {
		return 0, syscall.EIO
	}
	s, errno := x.state(f.node.path())
	if errno != 0 {
		return 0, errno
	}
	if errno := s.remember(off, int64(len(data))); errno != 0 {
		return 0, errno
	}
	return f.lf.Write(ctx, data, off)
}

func (f *file) Fsync(ctx context.Context, flags uint32) syscall.Errno {
	return f.node.fs.synced(f.node.path())
}

func (f *file) Flush(ctx context.Context) syscall.Errno   { return f.lf.Flush(ctx) }
func (f *file) Release(ctx context.Context) syscall.Errno { return f.lf.Release(ctx) }
func (f *file) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	return f.lf.Getattr(ctx, out)
}
func (f *file) Lseek(ctx context.Context, off uint64, whence uint32) (uint64, syscall.Errno) {
	return f.lf.Lseek(ctx, off, whence)
}

// Allocate may grow the file: remember its size first.
func (f *file) Allocate(ctx context.Context, off uint64, size uint64, mode uint32) syscall.Errno {
	x := f.node.fs
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cut {
		return syscall.EIO
	}
	s, errno := x.state(f.node.path())
	if errno != 0 {
		return errno
	}
	if errno := s.remember(int64(off), int64(size)); errno != 0 {
		return errno
	}
	return f.lf.Allocate(ctx, off, size, mode)
}
