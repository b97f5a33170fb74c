# advpipe with its stage notebooks, run as a non-root user. Untested here (no container engine on the dev machines):
# tests/test_deploy.py checks what can be checked without one (files copied exist, env names match the code).
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 advpipe
WORKDIR /opt/advpipe
COPY settings.ini setup.py README.md ./
COPY advpipe ./advpipe
COPY nbs/stages ./nbs/stages
# a non-editable install: setup.py copies nbs/stages into the package, so the chain runs from site-packages
RUN pip install --no-cache-dir ".[dask]" && rm -rf /opt/advpipe/build
USER advpipe
WORKDIR /home/advpipe/work
ENV ADVPIPE_HOME=/home/advpipe/.advpipe MPLBACKEND=Agg PYTHONUNBUFFERED=1
CMD ["advpipe", "--help"]
