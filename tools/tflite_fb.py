#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tflite_fb.py: a small reader and writer of TensorFlow Lite flatbuffers.

Standard library only. Covers the part of TFLite's schema (schema.fbs,
file identifier "TFL3") that int8 models use: Model, OperatorCode,
SubGraph, Tensor, QuantizationParameters, Operator, Buffer and the builtin
options of the operators starling imports. Fields the schema has but this
table does not list are skipped by the reader and never written.

    model = read_model(data)      # nested dicts; raises TfliteError (one line,
                                  # naming where: "subgraphs[0].tensors[3].shape")
    data = write_model(model)     # the same dicts back to bytes

The reader checks every offset, vtable and vector against the file size
before it reads, so a truncated or corrupted file gives TfliteError, never
an IndexError or a partial model. Offsets in a flatbuffer only point
forward (uoffset is unsigned), so there are no cycles to guard against.

Flatbuffer layout, for reference: the file starts with a u32 offset to the
root table and the 4-byte identifier; a table starts with an i32 soffset to
its vtable (vtable = table - soffset), the vtable is u16 vtable_size, u16
table_size, then one u16 offset (from the table start, 0 = absent) per
field; a field that refers to a table, vector or string holds a u32 offset
relative to the field itself; a vector is a u32 length and its elements; a
string is a u32 length, the bytes and a NUL; a union is two fields, a u8
type (0 = none) and the offset of the table.
"""
import struct

FILE_ID = b"TFL3"

# Tensor types (TensorType).
TENSOR_TYPES = {0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64", 5: "STRING",
                6: "BOOL", 7: "INT16", 8: "COMPLEX64", 9: "INT8", 10: "FLOAT64",
                11: "COMPLEX128", 12: "UINT64", 13: "RESOURCE", 14: "VARIANT", 15: "UINT32",
                16: "UINT16", 17: "INT4", 18: "BFLOAT16", 19: "INT2", 20: "UINT4",
                21: "FLOAT8_E4M3FN", 22: "FLOAT8_E5M2"}
TYPE_CODES = {v: k for k, v in TENSOR_TYPES.items()}
PADDINGS = {0: "SAME", 1: "VALID"}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}

# BuiltinOperator codes (for the importer's messages).
_OP_NAMES_TEXT = (
    "0:ADD 1:AVERAGE_POOL_2D 2:CONCATENATION 3:CONV_2D 4:DEPTHWISE_CONV_2D 5:DEPTH_TO_SPACE "
    "6:DEQUANTIZE 7:EMBEDDING_LOOKUP 8:FLOOR 9:FULLY_CONNECTED 10:HASHTABLE_LOOKUP "
    "11:L2_NORMALIZATION 12:L2_POOL_2D 13:LOCAL_RESPONSE_NORMALIZATION 14:LOGISTIC "
    "15:LSH_PROJECTION 16:LSTM 17:MAX_POOL_2D 18:MUL 19:RELU 20:RELU_N1_TO_1 21:RELU6 "
    "22:RESHAPE 23:RESIZE_BILINEAR 24:RNN 25:SOFTMAX 26:SPACE_TO_DEPTH 27:SVDF 28:TANH "
    "29:CONCAT_EMBEDDINGS 30:SKIP_GRAM 31:CALL 32:CUSTOM 33:EMBEDDING_LOOKUP_SPARSE 34:PAD "
    "35:UNIDIRECTIONAL_SEQUENCE_RNN 36:GATHER 37:BATCH_TO_SPACE_ND 38:SPACE_TO_BATCH_ND "
    "39:TRANSPOSE 40:MEAN 41:SUB 42:DIV 43:SQUEEZE 44:UNIDIRECTIONAL_SEQUENCE_LSTM "
    "45:STRIDED_SLICE 46:BIDIRECTIONAL_SEQUENCE_RNN 47:EXP 48:TOPK_V2 49:SPLIT 50:LOG_SOFTMAX "
    "51:DELEGATE 52:BIDIRECTIONAL_SEQUENCE_LSTM 53:CAST 54:PRELU 55:MAXIMUM 56:ARG_MAX "
    "57:MINIMUM 58:LESS 59:NEG 60:PADV2 61:GREATER 62:GREATER_EQUAL 63:LESS_EQUAL 64:SELECT "
    "65:SLICE 66:SIN 67:TRANSPOSE_CONV 68:SPARSE_TO_DENSE 69:TILE 70:EXPAND_DIMS 71:EQUAL "
    "72:NOT_EQUAL 73:LOG 74:SUM 75:SQRT 76:RSQRT 77:SHAPE 78:POW 79:ARG_MIN 80:FAKE_QUANT "
    "81:REDUCE_PROD 82:REDUCE_MAX 83:PACK 84:LOGICAL_OR 85:ONE_HOT 86:LOGICAL_AND "
    "87:LOGICAL_NOT 88:UNPACK 89:REDUCE_MIN 90:FLOOR_DIV 91:REDUCE_ANY 92:SQUARE "
    "93:ZEROS_LIKE 94:FILL 95:FLOOR_MOD 96:RANGE 97:RESIZE_NEAREST_NEIGHBOR 98:LEAKY_RELU "
    "99:SQUARED_DIFFERENCE 100:MIRROR_PAD 101:ABS 102:SPLIT_V 103:UNIQUE 104:CEIL "
    "105:REVERSE_V2 106:ADD_N 107:GATHER_ND 108:COS 109:WHERE 110:RANK 111:ELU "
    "112:REVERSE_SEQUENCE 113:MATRIX_DIAG 114:QUANTIZE 115:MATRIX_SET_DIAG 116:ROUND "
    "117:HARD_SWISH 118:IF 119:WHILE 120:NON_MAX_SUPPRESSION_V4 121:NON_MAX_SUPPRESSION_V5 "
    "122:SCATTER_ND 123:SELECT_V2 124:DENSIFY 125:SEGMENT_SUM 126:BATCH_MATMUL "
    "127:PLACEHOLDER_FOR_GREATER_OP_CODES 128:CUMSUM 129:CALL_ONCE 130:BROADCAST_TO "
    "131:RFFT2D 132:CONV_3D 133:IMAG 134:REAL 135:COMPLEX_ABS 136:HASHTABLE "
    "137:HASHTABLE_FIND 138:HASHTABLE_IMPORT 139:HASHTABLE_SIZE 140:REDUCE_ALL "
    "141:CONV_3D_TRANSPOSE 142:VAR_HANDLE 143:READ_VARIABLE 144:ASSIGN_VARIABLE "
    "145:BROADCAST_ARGS 146:RANDOM_STANDARD_NORMAL 147:BUCKETIZE 148:RANDOM_UNIFORM "
    "149:MULTINOMIAL 150:GELU 151:DYNAMIC_UPDATE_SLICE 152:RELU_0_TO_1 153:UNSORTED_SEGMENT_PROD "
    "154:UNSORTED_SEGMENT_MAX 155:UNSORTED_SEGMENT_SUM 156:ATAN2 157:UNSORTED_SEGMENT_MIN "
    "158:SIGN 159:BITCAST 160:BITWISE_XOR 161:RIGHT_SHIFT")
OP_NAMES = {int(k): v for k, v in (t.split(":") for t in _OP_NAMES_TEXT.split())}
OP_CODES = {v: k for k, v in OP_NAMES.items()}

# The schema subset: per table, its fields in field-id order as (name, type,
# default). Types: scalars u8 i8 bool u16 i16 u32 i32 u64 i64 f32; "str";
# "bytes" (vector of ubyte, 16-aligned as Buffer.data is); "[i32]" "[i64]"
# "[f32]" "[bool]" (vectors of scalars); "T:Name" (table), "[T:Name]"
# (vector of tables); "U:field" (the table of a union whose type is the
# field named); "-" (a field this table skips: read never, written never).
SCHEMA = {
    "Model": [("version", "u32", 0), ("operator_codes", "[T:OperatorCode]", None),
              ("subgraphs", "[T:SubGraph]", None), ("description", "str", None),
              ("buffers", "[T:Buffer]", None), ("metadata_buffer", "[i32]", None),
              ("metadata", "[T:Metadata]", None)],
    "OperatorCode": [("deprecated_builtin_code", "i8", 0), ("custom_code", "str", None),
                     ("version", "i32", 1), ("builtin_code", "i32", 0)],
    "SubGraph": [("tensors", "[T:Tensor]", None), ("inputs", "[i32]", None),
                 ("outputs", "[i32]", None), ("operators", "[T:Operator]", None),
                 ("name", "str", None)],
    "Tensor": [("shape", "[i32]", None), ("type", "i8", 0), ("buffer", "u32", 0),
               ("name", "str", None), ("quantization", "T:QuantizationParameters", None),
               ("is_variable", "bool", False), ("sparsity", "-", None),
               ("shape_signature", "[i32]", None), ("has_rank", "bool", False),
               ("variant_tensors", "-", None), ("external_buffer", "u32", 0)],
    "QuantizationParameters": [("min", "[f32]", None), ("max", "[f32]", None),
                               ("scale", "[f32]", None), ("zero_point", "[i64]", None),
                               ("details_type", "u8", 0), ("details", "-", None),
                               ("quantized_dimension", "i32", 0)],
    "Operator": [("opcode_index", "u32", 0), ("inputs", "[i32]", None),
                 ("outputs", "[i32]", None), ("builtin_options_type", "u8", 0),
                 ("builtin_options", "U:builtin_options_type", None),
                 ("custom_options", "bytes", None), ("custom_options_format", "i8", 0),
                 ("mutating_variable_inputs", "[bool]", None), ("intermediates", "[i32]", None),
                 ("large_custom_options_offset", "u64", 0),
                 ("large_custom_options_size", "u64", 0),
                 ("builtin_options_2_type", "u8", 0), ("builtin_options_2", "-", None)],
    "Buffer": [("data", "bytes", None), ("offset", "u64", 0), ("size", "u64", 0)],
    "Metadata": [("name", "str", None), ("buffer", "u32", 0)],
    "Conv2DOptions": [("padding", "i8", 0), ("stride_w", "i32", 0), ("stride_h", "i32", 0),
                      ("fused_activation_function", "i8", 0), ("dilation_w_factor", "i32", 1),
                      ("dilation_h_factor", "i32", 1), ("quantized_bias_type", "i8", 0)],
    "DepthwiseConv2DOptions": [("padding", "i8", 0), ("stride_w", "i32", 0),
                               ("stride_h", "i32", 0), ("depth_multiplier", "i32", 0),
                               ("fused_activation_function", "i8", 0),
                               ("dilation_w_factor", "i32", 1), ("dilation_h_factor", "i32", 1)],
    "Pool2DOptions": [("padding", "i8", 0), ("stride_w", "i32", 0), ("stride_h", "i32", 0),
                      ("filter_width", "i32", 0), ("filter_height", "i32", 0),
                      ("fused_activation_function", "i8", 0)],
    "FullyConnectedOptions": [("fused_activation_function", "i8", 0),
                              ("weights_format", "i8", 0), ("keep_num_dims", "bool", False),
                              ("asymmetric_quantize_inputs", "bool", False),
                              ("quantized_bias_type", "i8", 0)],
    "SoftmaxOptions": [("beta", "f32", 0.0)],
    "AddOptions": [("fused_activation_function", "i8", 0), ("pot_scale_int16", "bool", True)],
    "ReshapeOptions": [("new_shape", "[i32]", None)],
    "ReducerOptions": [("keep_dims", "bool", False)],
    "SqueezeOptions": [("squeeze_dims", "[i32]", None)],
}
# BuiltinOptions union members starling knows (type code -> table); other
# codes are kept as {"_type": code} and refused by the importer if used.
OPTIONS_TABLES = {1: "Conv2DOptions", 2: "DepthwiseConv2DOptions", 5: "Pool2DOptions",
                  8: "FullyConnectedOptions", 9: "SoftmaxOptions", 11: "AddOptions",
                  17: "ReshapeOptions", 27: "ReducerOptions", 30: "SqueezeOptions"}
OPTIONS_CODES = {v: k for k, v in OPTIONS_TABLES.items()}

_SCALARS = {"u8": "<B", "i8": "<b", "bool": "<B", "u16": "<H", "i16": "<h", "u32": "<I",
            "i32": "<i", "u64": "<Q", "i64": "<q", "f32": "<f"}
_VEC = {"[i32]": "i32", "[i64]": "i64", "[f32]": "f32", "[bool]": "bool", "bytes": "u8"}


class TfliteError(ValueError):
    """A malformed or unreadable file; the message is one line and says where."""


# ---------------------------------------------------------------------------
# Reader

class _Reader:
    def __init__(self, data):
        self.d = bytes(data)
        self.n = len(self.d)
        # Offsets may be shared (a DAG): bound the work by the file size so
        # a small crafted file cannot make decoding take quadratic time.
        self.budget = 4 * self.n + 4096

    def spend(self, n, where):
        self.budget -= n
        if self.budget < 0:
            raise TfliteError(f"{where}: more objects than a file of {self.n} bytes can hold "
                              "(shared offsets?)")

    def scalar(self, fmt, off, size, where):
        if off < 0 or off + size > self.n:
            raise TfliteError(f"{where}: offset {off} + {size} bytes outside the {self.n}-byte file")
        return struct.unpack_from(fmt, self.d, off)[0]

    def u32(self, off, where):
        return self.scalar("<I", off, 4, where)

    def deref(self, field_pos, where):
        """The target of a uoffset field."""
        target = field_pos + self.u32(field_pos, where)
        if target >= self.n:
            raise TfliteError(f"{where}: offset points to {target}, past the {self.n}-byte file")
        return target

    def table(self, pos, name, where):
        self.spend(16, where)
        soff = self.scalar("<i", pos, 4, where)
        vt = pos - soff
        if vt < 0 or vt + 4 > self.n:
            raise TfliteError(f"{where}: vtable at {vt} outside the file")
        vsize = self.scalar("<H", vt, 2, where)
        tsize = self.scalar("<H", vt + 2, 2, where)
        if vsize < 4 or vsize % 2 or vt + vsize > self.n:
            raise TfliteError(f"{where}: bad vtable size {vsize}")
        if tsize < 4 or pos + tsize > self.n:
            raise TfliteError(f"{where}: table of {tsize} bytes at {pos} outside the file")
        nfields = (vsize - 4) // 2
        out = {}
        fields = SCHEMA[name]
        for idx, (fname, ftype, default) in enumerate(fields):
            fw = f"{where}.{fname}"
            fo = self.scalar("<H", vt + 4 + 2 * idx, 2, fw) if idx < nfields else 0
            if ftype == "-":
                continue
            if fo == 0:
                out[fname] = default
                continue
            fsize = struct.calcsize(_SCALARS[ftype]) if ftype in _SCALARS else 4
            if fo + fsize > tsize:
                raise TfliteError(f"{fw}: field at {fo} beyond the {tsize}-byte table")
            fpos = pos + fo
            if ftype in _SCALARS:
                v = self.scalar(_SCALARS[ftype], fpos, fsize, fw)
                out[fname] = bool(v) if ftype == "bool" else v
            elif ftype == "str":
                out[fname] = self.string(self.deref(fpos, fw), fw)
            elif ftype in _VEC:
                out[fname] = self.vector(self.deref(fpos, fw), _VEC[ftype], fw, ftype == "bytes")
            elif ftype.startswith("[T:"):
                sub = ftype[3:-1]
                start, count = self.vec_header(self.deref(fpos, fw), 4, fw)
                out[fname] = [self.table(self.deref(start + 4 * i, f"{fw}[{i}]"), sub, f"{fw}[{i}]")
                              for i in range(count)]
            elif ftype.startswith("T:"):
                out[fname] = self.table(self.deref(fpos, fw), ftype[2:], fw)
            elif ftype.startswith("U:"):
                code = out.get(ftype[2:], 0)
                sub = OPTIONS_TABLES.get(code)
                out[fname] = ({"_type": code} if sub is None else
                              dict(self.table(self.deref(fpos, fw), sub, fw), _type=code))
        return out

    def vec_header(self, pos, elem, where):
        count = self.u32(pos, where)
        if pos + 4 + count * elem > self.n:
            raise TfliteError(f"{where}: vector of {count} elements runs past the file end")
        return pos + 4, count

    def vector(self, pos, etype, where, as_bytes):
        fmt = _SCALARS[etype]
        size = struct.calcsize(fmt)
        start, count = self.vec_header(pos, size, where)
        self.spend(count * size, where)
        if as_bytes:
            return self.d[start:start + count]
        vals = list(struct.unpack_from(f"<{count}{fmt[1]}", self.d, start))
        return [bool(v) for v in vals] if etype == "bool" else vals

    def string(self, pos, where):
        start, count = self.vec_header(pos, 1, where)
        try:
            return self.d[start:start + count].decode("utf-8")
        except UnicodeDecodeError:
            raise TfliteError(f"{where}: string is not UTF-8") from None


def read_model(data):
    """Parses a .tflite file (bytes) into nested dicts (see SCHEMA). Raises
    TfliteError for anything malformed."""
    r = _Reader(data)
    if r.n < 8:
        raise TfliteError(f"file: {r.n} bytes, too short for a flatbuffer")
    if r.d[4:8] != FILE_ID:
        raise TfliteError(f"file: identifier {r.d[4:8]!r}, not a TFLite model (expected b'TFL3')")
    root = r.u32(0, "file: root offset")
    if root < 8 or root >= r.n:
        raise TfliteError(f"file: root table offset {root} outside the file")
    return r.table(root, "Model", "model")


# ---------------------------------------------------------------------------
# Writer (lays objects out front to back: a parent, then its children, so
# every uoffset points forward as the format requires)

class _Writer:
    def __init__(self):
        self.b = bytearray()

    def align(self, a, rem=0):
        while len(self.b) % a != rem % a:
            self.b.append(0)

    def patch(self, field_pos, target):
        struct.pack_into("<I", self.b, field_pos, target - field_pos)

    def table(self, name, obj):
        fields = SCHEMA[name]
        present = []  # (idx, name, type, value)
        for idx, (fname, ftype, default) in enumerate(fields):
            if ftype == "-" or fname not in obj:
                continue
            v = obj[fname]
            if v is None or (ftype in _SCALARS and v == default):
                continue
            if ftype.startswith("U:") and OPTIONS_TABLES.get(obj.get(ftype[2:], 0)) is None:
                continue
            present.append((idx, fname, ftype, v))
        # Inline layout: soffset, then 8-byte, 4-byte, 2-byte, 1-byte fields.
        def fsize(t):
            return struct.calcsize(_SCALARS[t]) if t in _SCALARS else 4
        order = sorted(present, key=lambda f: -fsize(f[2]))
        offs, pos = {}, 4
        for f in order:
            sz = fsize(f[2])
            pos += -pos % sz
            offs[f[0]] = pos
            pos += sz
        tsize = pos + (-pos % 4)
        nf = max([f[0] for f in present], default=-1) + 1
        vt = struct.pack(f"<HH{nf}H", 4 + 2 * nf, tsize, *[offs.get(i, 0) for i in range(nf)])
        self.align(2)
        vt_pos = len(self.b)
        self.b += vt
        self.align(8 if any(fsize(f[2]) == 8 for f in present) else 4)
        tpos = len(self.b)
        self.b += bytes(tsize)
        struct.pack_into("<i", self.b, tpos, tpos - vt_pos)
        children = []
        for idx, fname, ftype, v in present:
            fp = tpos + offs[idx]
            if ftype in _SCALARS:
                struct.pack_into(_SCALARS[ftype], self.b, fp, int(v) if ftype != "f32" else v)
            else:
                children.append((fp, ftype, v))
        for fp, ftype, v in children:
            self.patch(fp, self.value(ftype, v))
        return tpos

    def value(self, ftype, v):
        if ftype == "str":
            data = v.encode("utf-8")
            self.align(4)
            p = len(self.b)
            self.b += struct.pack("<I", len(data)) + data + b"\0"
            return p
        if ftype in _VEC:
            et = _VEC[ftype]
            fmt = _SCALARS[et]
            size = struct.calcsize(fmt)
            if ftype == "bytes":
                self.align(16, 12)  # data 16-aligned (Buffer.data force_align: 16)
            else:
                self.align(max(size, 4), 4 if size == 8 else 0)
            p = len(self.b)
            vals = bytes(v) if ftype == "bytes" else struct.pack(f"<{len(v)}{fmt[1]}", *v)
            self.b += struct.pack("<I", len(v)) + vals
            return p
        if ftype.startswith("[T:"):
            sub = ftype[3:-1]
            self.align(4)
            p = len(self.b)
            self.b += struct.pack("<I", len(v)) + bytes(4 * len(v))
            for i, item in enumerate(v):
                self.patch(p + 4 + 4 * i, self.table(sub, item))
            return p
        if ftype.startswith("T:"):
            return self.table(ftype[2:], v)
        if ftype.startswith("U:"):
            return self.table(OPTIONS_TABLES[v["_type"]], v)
        raise ValueError(f"unknown type {ftype}")


def write_model(model):
    """Serializes a model dict (as read_model returns, or built by hand with
    the SCHEMA field names; unions carry "_type") to .tflite bytes."""
    w = _Writer()
    w.b += bytes(4) + FILE_ID
    root = w.table("Model", model)
    struct.pack_into("<I", w.b, 0, root)
    w.align(4)
    return bytes(w.b)


def builtin_code(opcode):
    """The operator code of an OperatorCode dict (TFLite's rule: the larger of
    the deprecated byte field and the int32 field)."""
    return max(opcode.get("deprecated_builtin_code") or 0, opcode.get("builtin_code") or 0)
