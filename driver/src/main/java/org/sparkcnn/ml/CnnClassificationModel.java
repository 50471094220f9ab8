/*
 * A trained sparkcnn model as a Spark ML Transformer: transform adds the prediction (the class
 * index, double), probability and rawPrediction (ML vectors: the softmax and the logits) columns,
 * computed lazily on the executors in batches (Predictions), the model broadcast once per
 * transform. The features column is read as in training (Features): the model file records the
 * sample shape and the evaluation pipeline, so images of any size are resized as the test split
 * was. MLWritable: write().save(path) keeps Spark's metadata (the params) in path/metadata and
 * the model in path/data/model.scnn (sparkcnn's own format, ModelFile) with the training summary,
 * on any Hadoop file system; load(path) reads it back, also as a stage of a PipelineModel.
 * fromFile reads a `model.scnn` written by `deploy/sparkcnn train`.
 */
package org.sparkcnn.ml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.driver.step.Inference;
import org.sparkcnn.engine.ModelFile;
import org.sparkcnn.engine.OnnxImport;
import org.sparkcnn.engine.Shape;
import scala.Option;

public final class CnnClassificationModel extends Model<CnnClassificationModel>
    implements MLWritable {
  /** Rows per forward pass in transform. */
  static final int BATCH = 64;

  private final String uid;
  private final ModelFile.Contents model;
  private final TrainingSummary summary; // null when unknown
  private final Inference.Input input;
  private final Param<String> featuresCol;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> rawPredictionCol;
  private final DoubleParam pixelScale;
  private final Param<String> binaryFeatures;

  CnnClassificationModel(String uid, ModelFile.Contents model, TrainingSummary summary) {
    this.uid = uid;
    this.model = model;
    this.summary = summary;
    this.input = Inference.input(model);
    featuresCol = ColumnParams.featuresCol(this);
    predictionCol = ColumnParams.predictionCol(this);
    probabilityCol = ColumnParams.probabilityCol(this);
    rawPredictionCol = ColumnParams.rawPredictionCol(this);
    pixelScale = ColumnParams.pixelScale(this);
    binaryFeatures = ColumnParams.binaryFeatures(this);
    ColumnParams.defaults(
        this,
        featuresCol,
        predictionCol,
        probabilityCol,
        rawPredictionCol,
        pixelScale,
        binaryFeatures);
  }

  /**
   * The model of a model file, with default params: a model.scnn (e.g. a run folder's) or an ONNX
   * file sparkcnn imports, whose metadata (as `deploy/sparkcnn export` writes it: normalisation,
   * class names, the sample shape and evaluation transform) is read back as model.scnn's meta.
   */
  public static CnnClassificationModel fromFile(java.nio.file.Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such model file; expected a model.scnn or a .onnx file");
    }
    ModelFile.Contents contents;
    if (file.getFileName().toString().endsWith(".onnx")) {
      OnnxImport.Result r = OnnxImport.read(file);
      Map<String, Object> meta = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : r.meta().entrySet()) {
        meta.put(e.getKey(), json(e.getValue()));
      }
      contents =
          new ModelFile.Contents(r.architecture(), r.vectors().params, r.vectors().buffers, meta);
    } else {
      try (InputStream in = Files.newInputStream(file)) {
        contents = ModelFile.read(in, file.toString());
      }
    }
    return new CnnClassificationModel(
        Identifiable.randomUID("cnnClassificationModel"), contents, null);
  }

  /** A metadata value written as JSON text, or the text itself when it is not JSON. */
  private static Object json(String text) {
    try {
      return ModelFile.JSON.readValue(text, Object.class);
    } catch (IOException e) {
      return text;
    }
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public DoubleParam pixelScale() {
    return pixelScale;
  }

  public Param<String> binaryFeatures() {
    return binaryFeatures;
  }

  public CnnClassificationModel setFeaturesCol(String v) {
    return (CnnClassificationModel) set(featuresCol, v);
  }

  public CnnClassificationModel setPredictionCol(String v) {
    return (CnnClassificationModel) set(predictionCol, v);
  }

  public CnnClassificationModel setProbabilityCol(String v) {
    return (CnnClassificationModel) set(probabilityCol, v);
  }

  public CnnClassificationModel setRawPredictionCol(String v) {
    return (CnnClassificationModel) set(rawPredictionCol, v);
  }

  public CnnClassificationModel setPixelScale(double v) {
    return (CnnClassificationModel) set(pixelScale, v);
  }

  /** "file" (the default): a binary features column holds image files; "pixels": raw bytes. */
  public CnnClassificationModel setBinaryFeatures(String v) {
    return (CnnClassificationModel) set(binaryFeatures, v);
  }

  public int numClasses() {
    return model.architecture().output().size();
  }

  /** The classes' names in index order (StringIndexer's labels, the folders), or empty. */
  public List<String> classNames() {
    return input.classNames();
  }

  /** The shape of one sample as the features give it, [C, H, W]. */
  public Shape sampleShape() {
    return input.source();
  }

  /** The architecture, weights, buffers and meta, as in model.scnn. */
  public ModelFile.Contents contents() {
    return model;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException(
          "no training summary: this model was read from a"
              + " model.scnn file, not fitted or saved by CnnClassifier");
    }
    return summary;
  }

  private Features features(StructType schema) {
    Shape s = input.source();
    return Features.of(
        schema,
        $(featuresCol),
        new int[] {s.c(), s.h(), s.w()},
        s.h(),
        (double) $(pixelScale),
        $(binaryFeatures));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    Features f = features(schema);
    if (f.kind.images() && (input.source().h() != input.source().w())) {
      throw new IllegalArgumentException(
          "features column '"
              + $(featuresCol)
              + "' holds "
              + f.kind.what
              + ", made square by resizing, but the model was trained on samples of "
              + input.source()
              + "; expected numeric features of that shape");
    }
    return ColumnParams.appendOutputs(
        schema, $(predictionCol), $(probabilityCol), $(rawPredictionCol));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    Dataset<Row> df = dataset.toDF();
    StructType in = df.schema();
    Features f = features(in);
    int pathCol =
        f.kind == Features.Kind.FILE && List.of(in.fieldNames()).contains("path")
            ? in.fieldIndex("path")
            : -1;
    boolean[] outputs = {
      !$(predictionCol).isEmpty(), !$(probabilityCol).isEmpty(), !$(rawPredictionCol).isEmpty()
    };
    var jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    var file = jsc.broadcast(bytes(model));
    return df.mapPartitions(
        new Predictions(file, f, in.fieldIndex($(featuresCol)), pathCol, outputs, BATCH),
        Encoders.row(out));
  }

  static byte[] bytes(ModelFile.Contents model) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      ModelFile.write(b, model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  @Override
  public CnnClassificationModel copy(ParamMap extra) {
    return copyValues(new CnnClassificationModel(uid, model, summary), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<CnnClassificationModel> read() {
    return new Reader();
  }

  public static CnnClassificationModel load(String path) {
    return read().load(path);
  }

  private static final String MODEL = "data/model.scnn";
  private static final String SUMMARY = "data/summary.json";

  private static final class Writer extends MLWriter {
    private final CnnClassificationModel instance;

    Writer(CnnClassificationModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(instance, path, sparkSession());
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        try (OutputStream out = fs.create(new Path(path, MODEL), true)) {
          ModelFile.write(out, instance.model);
        }
        if (instance.summary != null) {
          try (OutputStream out = fs.create(new Path(path, SUMMARY), true)) {
            out.write(instance.summary.toJson().getBytes(StandardCharsets.UTF_8));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot save the model to " + path + ": " + e.getMessage(), e);
      }
    }
  }

  private static final class Reader extends MLReader<CnnClassificationModel> {
    @Override
    public CnnClassificationModel load(String path) {
      var meta =
          DefaultParamsReader.loadMetadata(
              path, sparkSession(), CnnClassificationModel.class.getName());
      try {
        FileSystem fs = new Path(path).getFileSystem(sc().hadoopConfiguration());
        ModelFile.Contents contents;
        try (InputStream in = fs.open(new Path(path, MODEL))) {
          contents = ModelFile.read(in, path + "/" + MODEL);
        }
        TrainingSummary summary = null;
        if (fs.exists(new Path(path, SUMMARY))) {
          try (InputStream in = fs.open(new Path(path, SUMMARY))) {
            summary =
                TrainingSummary.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
        CnnClassificationModel m = new CnnClassificationModel(meta.uid(), contents, summary);
        meta.getAndSetParams(m, Option.empty());
        return m;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot load a CnnClassificationModel from " + path + ": " + e.getMessage(), e);
      }
    }
  }
}
